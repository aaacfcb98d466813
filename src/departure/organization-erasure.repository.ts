import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction';

/**
 * Every table that references `organizations`, and what an organisation's leaving does to its
 * rows: the ONE list. `cascade`: the foreign key is ON DELETE CASCADE (the rows go with the
 * organisation); `set null`: ON DELETE SET NULL (the community's rows stay, no longer naming
 * it); `before`: rows this repository deletes (or hands over) before the organisation's row, in
 * this order. A test (test/e2e/organization-departure.e2e-spec.ts) reads
 * the live schema and fails while a foreign key to `organizations` is missing here: a feature
 * that adds a table referencing organisations classifies it here.
 *
 * Cases (`cases`, `case_indicators`) are erased one by one by the cases feature before this runs
 * (tombstones, pattern records, rollups and audit, as an erasure on request).
 */
export const ORGANIZATION_REFERENCES: Record<string, 'cascade' | 'before' | 'set null'> = {
  cases: 'before',
  case_indicators: 'before',
  contacts: 'before',
  webhooks: 'before',
  users: 'before',
  channel_access: 'cascade',
  pattern_alerts: 'cascade',
  reports: 'cascade',
  retention_policies: 'cascade',
  erased_cases: 'cascade',
  // A confirmation of an incident is the organisation's word: it goes with it.
  channel_incident_confirmations: 'cascade',
  // Incidents and playbook versions are the community's know-how about a channel: they stay,
  // no longer naming the organisation that reported or wrote them.
  channel_incidents: 'set null',
  channel_playbook_versions: 'set null',
};

/**
 * Foreign keys to the rows an erasure deletes (users, cases, contacts) that would block it (ON
 * DELETE RESTRICT or NO ACTION) and that it handles before deleting: any other such key makes an
 * organisation's erasure (or a case's) fail, so the same test refuses it. `table.column`.
 */
export const HANDLED_BLOCKING_REFERENCES: Record<'users' | 'cases' | 'contacts', string[]> = {
  // The organisation's cases are erased first, its webhooks deleted before its users.
  users: ['cases.created_by', 'webhooks.created_by'],
  // The timeline goes first, under the append-only guard's erasure door.
  cases: ['case_events.case_id'],
  // Other organisations' cases lose the link first (and are flagged `needsContact`).
  contacts: ['cases.contact_id'],
};

export interface ErasureCounts {
  contactsErased: number;
  contactsHandedOver: number;
  webhooks: number;
  users: number;
  /** The ids of the users deleted (for the authentication cache; not written anywhere). */
  userIds: string[];
}

/** The organisation's own rows, after its cases: contacts, webhooks, users, the organisation. */
@Injectable()
export class OrganizationErasureRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** The foreign keys to `organizations` in the live schema: `table.column` and the rule. */
  async referencesInSchema(): Promise<{ table: string; onDelete: string }[]> {
    return this.tx.manager.query(
      `SELECT cl.relname AS "table",
              CASE con.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null'
                                   WHEN 'r' THEN 'restrict' ELSE 'no action' END AS "onDelete"
         FROM pg_constraint con
         JOIN pg_class cl ON cl.oid = con.conrelid
        WHERE con.contype = 'f' AND con.confrelid = 'organizations'::regclass
        ORDER BY 1`,
    );
  }

  /** Foreign keys to `target` that block a delete (RESTRICT or NO ACTION), as `table.column`. */
  async blockingReferencesTo(target: 'users' | 'cases' | 'contacts'): Promise<string[]> {
    const rows: { ref: string }[] = await this.tx.manager.query(
      `SELECT cl.relname || '.' || att.attname AS ref
         FROM pg_constraint con
         JOIN pg_class cl ON cl.oid = con.conrelid
         JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
        WHERE con.contype = 'f' AND con.confrelid = $1::regclass
          AND con.confdeltype IN ('r', 'a')
        ORDER BY 1`,
      [target],
    );
    return rows.map((r) => r.ref);
  }

  /** The organisation of the community's coordination: that of its first active admin. */
  async coordinationOf(em: EntityManager = this.tx.manager): Promise<string | null> {
    const rows: { organization_id: string }[] = await em.query(
      `SELECT organization_id FROM users WHERE role = 'admin' AND active
        ORDER BY created_at, id LIMIT 1`,
    );
    return rows[0]?.organization_id ?? null;
  }

  /**
   * In one transaction: shared contacts handed over (if asked), the rest erased (other
   * organisations' cases that went through them lose the link and are flagged to pick a new
   * contact), webhooks, the users (named on other organisations' RED cases no more), the
   * organisation (its CASCADE rows with it).
   */
  async eraseRest(
    organizationId: string,
    handOverTo: string | null,
    now: Date,
  ): Promise<ErasureCounts> {
    return this.tx.run(async (em) => {
      const handed: unknown[] = handOverTo
        ? await em.query(
            `WITH moved AS (
               UPDATE contacts SET organization_id = $2, updated_at = $3
                WHERE organization_id = $1 AND tlp IN ('GREEN', 'CLEAR') RETURNING id)
             SELECT id FROM moved`,
            [organizationId, handOverTo, now],
          )
        : [];
      await em.query(
        `UPDATE cases SET contact_id = NULL, needs_contact = true
          WHERE contact_id IN (SELECT id FROM contacts WHERE organization_id = $1)`,
        [organizationId],
      );
      await em.query(
        `UPDATE contacts SET successor_id = NULL
          WHERE successor_id IN (SELECT id FROM contacts WHERE organization_id = $1)`,
        [organizationId],
      );
      // The contacts' history is append-only; it goes with its contacts in this transaction only.
      await em.query(`SELECT set_config('app.erase_organization', $1, true)`, [organizationId]);
      const contacts: unknown[] = await em.query(
        `WITH gone AS (DELETE FROM contacts WHERE organization_id = $1 RETURNING id)
         SELECT id FROM gone`,
        [organizationId],
      );
      await em.query(`SELECT set_config('app.erase_organization', '', true)`);
      const webhooks: unknown[] = await em.query(
        `WITH gone AS (DELETE FROM webhooks WHERE organization_id = $1 RETURNING id)
         SELECT id FROM gone`,
        [organizationId],
      );
      await em.query(
        `UPDATE cases SET shared_organization_ids = array_remove(shared_organization_ids, $1::uuid)
          WHERE $1::uuid = ANY(shared_organization_ids)`,
        [organizationId],
      );
      await em.query(
        `UPDATE cases c SET shared_user_ids = ARRAY(
             SELECT u FROM unnest(c.shared_user_ids) u
              WHERE u NOT IN (SELECT id FROM users WHERE organization_id = $1))
          WHERE c.shared_user_ids && ARRAY(SELECT id FROM users WHERE organization_id = $1)`,
        [organizationId],
      );
      const users: { id: string }[] = await em.query(
        `WITH gone AS (DELETE FROM users WHERE organization_id = $1 RETURNING id)
         SELECT id FROM gone`,
        [organizationId],
      );
      await em.query('DELETE FROM organizations WHERE id = $1', [organizationId]);
      return {
        contactsErased: contacts.length,
        contactsHandedOver: handed.length,
        webhooks: webhooks.length,
        users: users.length,
        userIds: users.map((u) => u.id),
      };
    });
  }
}
