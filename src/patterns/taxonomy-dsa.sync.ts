import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction';
import { DSA_MAPPINGS } from './taxonomy-dsa';

/**
 * Writes the DSA crosswalk into `taxonomy_dsa_categories` at start-up (the pattern-record
 * trigger reads it), and re-derives the records of any code whose mapping changed.
 */
@Injectable()
export class TaxonomyDsaSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(TaxonomyDsaSync.name);

  constructor(private readonly tx: TransactionRunner) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed: { code: string }[] = await this.tx.manager.query(
      `INSERT INTO taxonomy_dsa_categories AS t (code, gendered, generic)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[])
       ON CONFLICT ON CONSTRAINT pk_taxonomy_dsa_categories DO UPDATE
         SET gendered = EXCLUDED.gendered, generic = EXCLUDED.generic
         WHERE (t.gendered, t.generic) IS DISTINCT FROM (EXCLUDED.gendered, EXCLUDED.generic)
       RETURNING code`,
      [
        DSA_MAPPINGS.map((m) => m.code),
        DSA_MAPPINGS.map((m) => m.gendered),
        DSA_MAPPINGS.map((m) => m.generic),
      ],
    );
    if (changed.length === 0) return;
    const codes = changed.map((c) => c.code);
    await this.tx.manager.query(
      `SELECT sync_pattern_records(ARRAY(
         SELECT case_id FROM pattern_records
          WHERE subcategory = ANY($1) OR (subcategory = '' AND category = ANY($1))))`,
      [codes],
    );
    this.logger.log({ codes: codes.length }, 'DSA crosswalk written');
  }
}
