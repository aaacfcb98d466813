/** What the deadline jobs tell an organisation about one of its cases. Never case content. */
export interface CaseNotification {
  type: 'case.overdue' | 'case.follow_up_due';
  /** Deterministic per occurrence (e.g. `overdue-<caseId>-<dueAtMs>`): notifying twice with the same key delivers once. */
  key: string;
  organizationId: string;
  caseId: string;
  /** ESC-2026-000123 */
  reference: string;
  platformCode: string;
  channelCode: string;
  /** ISO 8601 */
  dueAt: string;
  /** ISO 8601 */
  occurredAt: string;
  /**
   * TLP:RED cases: the only users who may hear of the case (its creator and the users named on
   * it). No webhook gets it (an organisation's endpoint is not a person the case names), and
   * e-mail goes to these users only. Absent: the owning organisation as a whole.
   */
  restrictedTo?: string[];
}
