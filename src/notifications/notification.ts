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
}
