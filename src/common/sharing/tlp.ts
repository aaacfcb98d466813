import { Actor } from '../auth/actor';

/** Traffic Light Protocol 2.0 labels, most restrictive first. */
export const TLP_LEVELS = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export interface SharedColumns {
  /** Column holding the owning organisation id. */
  organization: string;
  /** Column holding the creating user id. */
  creator: string;
  /** uuid[] column of organisations named on the record (AMBER). */
  sharedOrganizations?: string;
  /** uuid[] column of users named on the record (RED). */
  sharedUsers?: string;
}

/**
 * The one SQL rendering of the sharing rule, for every read path (get, list, count, export,
 * match). Admins are members of their own organisation here: TLP binds them too.
 * - RED: the creator and the users named on the record.
 * - AMBER+STRICT: members of the owning organisation.
 * - AMBER: the owning organisation and the organisations named on the record.
 * - GREEN and CLEAR: every member of the community.
 * Parameters are named `:tlpOrg` and `:tlpUser`, ready for TypeORM's query builder.
 */
export function visibleToSql(alias: string, tlpColumn: string, columns: SharedColumns): string {
  const col = (c: string) => `${alias}.${c}`;
  const red = [`${col(columns.creator)} = :tlpUser`];
  if (columns.sharedUsers) red.push(`:tlpUser = ANY(${col(columns.sharedUsers)})`);
  const amber = [`${col(columns.organization)} = :tlpOrg`];
  if (columns.sharedOrganizations) amber.push(`:tlpOrg = ANY(${col(columns.sharedOrganizations)})`);
  return `(${col(tlpColumn)} IN ('GREEN', 'CLEAR')
    OR (${col(tlpColumn)} = 'AMBER+STRICT' AND ${col(columns.organization)} = :tlpOrg)
    OR (${col(tlpColumn)} = 'AMBER' AND (${amber.join(' OR ')}))
    OR (${col(tlpColumn)} = 'RED' AND (${red.join(' OR ')})))`;
}

export const visibilityParams = (actor: Actor) => ({
  tlpOrg: actor.organizationId,
  tlpUser: actor.userId,
});
