import { MigrationInterface, QueryRunner } from 'typeorm';

/** What a pattern record is built from, on `cases` (sync_pattern_records reads these). */
const RECORD_SOURCES = [
  'consent_to_share_pattern',
  'escalated_at',
  'platform_id',
  'channel_id',
  'category_code',
  'subcategory_code',
  'country',
  'target_groups',
  'urgency',
  'outcome',
  'first_response_at',
  'resolved_at',
  'overdue_for',
  'paused_seconds',
  'organization_id',
  'tlp',
];

const row = (alias: 'OLD' | 'NEW') => `(${RECORD_SOURCES.map((c) => `${alias}.${c}`).join(', ')})`;

/**
 * The pattern projection leaves the write path (issue 19). Until now every write to a case
 * rebuilt its pattern record inside the writing transaction (a join over five tables per
 * statement) and sent a NOTIFY, which serialises commits: a single-row insert into `cases` ran
 * at about a fifth of the same insert without triggers. Now the write only notes which case
 * changed, one row in `pattern_pending` (no index, no sequence: the cheapest insert there is),
 * and the worker builds the records from it and folds them, polling instead of listening.
 *
 * What stays synchronous is leaving the repository: consent withdrawn or a move to TLP:RED
 * removes the record and its counts in the writing transaction (`case.left-repository`,
 * handled by patterns), so no answer given after the commit counts the case.
 */
export class ProjectionOffWritePath1796000000000 implements MigrationInterface {
  name = 'ProjectionOffWritePath1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [trigger, table] of [
      ['cases_patterns_insert', 'cases'],
      ['cases_patterns_update', 'cases'],
      ['case_events_patterns_insert', 'case_events'],
      ['case_indicators_patterns_insert', 'case_indicators'],
      ['case_indicators_patterns_delete', 'case_indicators'],
    ]) {
      await queryRunner.query(`DROP TRIGGER "${trigger}" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION pattern_sources_changed()`);

    // A queue of case ids, taken whole by the worker: duplicates are harmless (the record is
    // rebuilt from the case as it is then), and no index is read, so none is kept.
    await queryRunner.query(`CREATE TABLE "pattern_pending" ("case_id" uuid NOT NULL)`);
    await queryRunner.query(`CREATE FUNCTION note_pattern_source_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'cases' THEN
    INSERT INTO pattern_pending (case_id) VALUES (NEW.id);
  ELSIF TG_TABLE_NAME = 'case_events' THEN
    INSERT INTO pattern_pending (case_id) VALUES (NEW.case_id);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO pattern_pending (case_id) SELECT DISTINCT case_id FROM old_rows;
  ELSE
    INSERT INTO pattern_pending (case_id) SELECT DISTINCT case_id FROM new_rows;
  END IF;
  RETURN NULL;
END $$`);
    // Row triggers on cases, so the WHEN test (in C, no function call) skips every write that
    // changes nothing a record holds, and every case that never consented.
    await queryRunner.query(
      `CREATE TRIGGER "cases_pattern_pending_insert" AFTER INSERT ON "cases" FOR EACH ROW WHEN (NEW.consent_to_share_pattern) EXECUTE FUNCTION note_pattern_source_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "cases_pattern_pending_update" AFTER UPDATE ON "cases" FOR EACH ROW WHEN ((OLD.consent_to_share_pattern OR NEW.consent_to_share_pattern) AND ${row('OLD')} IS DISTINCT FROM ${row('NEW')}) EXECUTE FUNCTION note_pattern_source_changed()`,
    );
    // Only a response with quality answers changes a record: a row trigger whose WHEN lets
    // every other step of the timeline (two per logged case) through at no cost.
    await queryRunner.query(
      `CREATE TRIGGER "case_events_pattern_pending" AFTER INSERT ON "case_events" FOR EACH ROW WHEN (NEW.type = 'platform_responded' AND NEW.quality IS NOT NULL) EXECUTE FUNCTION note_pattern_source_changed()`,
    );
    // A statement trigger where imports write thousands of rows at once.
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_pattern_pending_insert" AFTER INSERT ON "case_indicators" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_pattern_source_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_pattern_pending_delete" AFTER DELETE ON "case_indicators" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_pattern_source_changed()`,
    );
    await queryRunner.query(logFunction(false));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(logFunction(true));
    for (const [trigger, table] of [
      ['cases_pattern_pending_insert', 'cases'],
      ['cases_pattern_pending_update', 'cases'],
      ['case_events_pattern_pending', 'case_events'],
      ['case_indicators_pattern_pending_insert', 'case_indicators'],
      ['case_indicators_pattern_pending_delete', 'case_indicators'],
    ]) {
      await queryRunner.query(`DROP TRIGGER "${trigger}" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION note_pattern_source_changed()`);
    // What was noted but not built yet is built now, as the previous triggers would have.
    await queryRunner.query(
      `SELECT sync_pattern_records(ARRAY(SELECT DISTINCT case_id FROM pattern_pending))`,
    );
    await queryRunner.query(`DROP TABLE "pattern_pending"`);
    await queryRunner.query(`CREATE FUNCTION pattern_sources_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_TABLE_NAME = 'cases' AND TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT id FROM new_rows WHERE consent_to_share_pattern);
  ELSIF TG_TABLE_NAME = 'cases' THEN
    ids := ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (${RECORD_SOURCES.map((c) => `o.${c}`).join(', ')})
             IS DISTINCT FROM
             (${RECORD_SOURCES.map((c) => `n.${c}`).join(', ')}));
  ELSIF TG_TABLE_NAME = 'case_events' THEN
    ids := ARRAY(SELECT DISTINCT case_id FROM new_rows
                  WHERE type = 'platform_responded' AND quality IS NOT NULL);
  ELSIF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT case_id FROM new_rows);
  ELSE
    ids := ARRAY(SELECT DISTINCT case_id FROM old_rows);
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM sync_pattern_records(ids);
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "cases_patterns_insert" AFTER INSERT ON "cases" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "cases_patterns_update" AFTER UPDATE ON "cases" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_events_patterns_insert" AFTER INSERT ON "case_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_patterns_insert" AFTER INSERT ON "case_indicators" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_patterns_delete" AFTER DELETE ON "case_indicators" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
  }
}

/**
 * The record change log for the fold. Without `notify`, the worker polls: a NOTIFY takes a
 * lock held to the end of every commit that sends one, which serialised the writers.
 */
function logFunction(notify: boolean): string {
  return `CREATE OR REPLACE FUNCTION log_pattern_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO pattern_changes (sign, record) SELECT -1, to_jsonb(o) FROM old_records o;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO pattern_changes (sign, record) SELECT 1, to_jsonb(n) FROM new_records n;
  END IF;${
    notify
      ? `
  IF FOUND THEN
    PERFORM pg_notify('pattern_changes', '');
  END IF;`
      : ''
  }
  RETURN NULL;
END $$`;
}
