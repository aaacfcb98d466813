import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction';
import { ChannelPlaybookVersionEntity } from './channel-playbook-version.entity';

export interface PlaybookRow {
  channelId: string;
  version: number;
  evidence: string | null;
  language: string | null;
  subjectLine: string | null;
  formFields: string | null;
  pitfalls: string | null;
  eligibility: string | null;
  howToApply: string | null;
  changeNote: string | null;
  authorId: string | null;
  authorName: string | null;
  authorOrganizationSlug: string | null;
  createdAt: Date;
}

const SELECT = `
  SELECT v.channel_id AS "channelId", v.version, v.evidence, v.language,
         v.subject_line AS "subjectLine", v.form_fields AS "formFields", v.pitfalls,
         v.eligibility, v.how_to_apply AS "howToApply", v.change_note AS "changeNote",
         v.author_id AS "authorId",
         CASE WHEN v.author_organization_id = $1::uuid THEN u.display_name END AS "authorName",
         o.slug AS "authorOrganizationSlug", v.created_at AS "createdAt"
    FROM channel_playbook_versions v
    LEFT JOIN users u ON u.id = v.author_id
    LEFT JOIN organizations o ON o.id = v.author_organization_id`;

/**
 * Playbooks are community content: every signed-in user reads every version. Who wrote a
 * version is named to the author's own organisation only; others see the organisation.
 */
@Injectable()
export class ChannelPlaybooksRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** The current version of each of these channels (those with a playbook). */
  current(
    readerOrganizationId: string,
    channelIds: string[],
    em: EntityManager = this.tx.manager,
  ): Promise<PlaybookRow[]> {
    if (channelIds.length === 0) return Promise.resolve([]);
    return em.query(
      `${SELECT}
        WHERE v.channel_id = ANY($2::uuid[])
          AND v.version = (SELECT max(x.version) FROM channel_playbook_versions x WHERE x.channel_id = v.channel_id)`,
      [readerOrganizationId, channelIds],
    );
  }

  async version(
    readerOrganizationId: string,
    channelId: string,
    version: number,
  ): Promise<PlaybookRow | null> {
    const [row] = await this.tx.manager.query(
      `${SELECT} WHERE v.channel_id = $2 AND v.version = $3`,
      [readerOrganizationId, channelId, version],
    );
    return (row as PlaybookRow | undefined) ?? null;
  }

  versions(readerOrganizationId: string, channelId: string): Promise<PlaybookRow[]> {
    return this.tx.manager.query(`${SELECT} WHERE v.channel_id = $2 ORDER BY v.version DESC`, [
      readerOrganizationId,
      channelId,
    ]);
  }

  /** The highest version, 0 when there is none; locks the channel's versions against a race. */
  async lockLatest(channelId: string, em: EntityManager): Promise<number> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('playbook:' || $1))`, [channelId]);
    const [row] = (await em.query(
      `SELECT coalesce(max(version), 0)::int AS v FROM channel_playbook_versions WHERE channel_id = $1`,
      [channelId],
    )) as { v: number }[];
    return row.v;
  }

  async insert(values: Partial<ChannelPlaybookVersionEntity>, em: EntityManager): Promise<void> {
    await em.insert(ChannelPlaybookVersionEntity, values);
  }
}
