import { visibleToSql } from '../common/sharing/tlp';

/**
 * SQL fragments about cases (alias `c`) that other features' queries share with the cases
 * repository, so the sharing rule and "the platform owes an answer" have one spelling each.
 */

/** The TLP rule for a case, with `:tlpOrg` and `:tlpUser` parameters. */
export const CASE_VISIBILITY = visibleToSql('c', 'tlp', {
  organization: 'organization_id',
  creator: 'created_by',
  sharedOrganizations: 'shared_organization_ids',
  sharedUsers: 'shared_user_ids',
});

/** The platform owes an answer and the deadline clock runs. */
export const CLOCK_RUNS = `c.status IN ('escalated', 'acknowledged') AND c.paused_at IS NULL AND c.due_at IS NOT NULL`;

/** CASE_VISIBILITY for raw SQL with positional parameters, e.g. `caseVisibleTo('$2', '$3')`. */
export function caseVisibleTo(orgParam: string, userParam: string): string {
  return CASE_VISIBILITY.replace(/:tlpOrg/g, orgParam).replace(/:tlpUser/g, userParam);
}
