import { Injectable } from '@nestjs/common';
import {
  FindOptionsSelect,
  In,
  LessThan,
  LessThanOrEqual,
  MoreThan,
  QueryDeepPartialEntity,
  EntityManager,
} from 'typeorm';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ReportEntity, ReportStatus } from './report.entity';

/** Every column but the file itself (which can be large). */
const WITHOUT_CONTENT: FindOptionsSelect<ReportEntity> = {
  id: true,
  organizationId: true,
  requestedBy: true,
  kind: true,
  format: true,
  params: true,
  status: true,
  progress: true,
  contentType: true,
  filename: true,
  error: true,
  createdAt: true,
  finishedAt: true,
  expiresAt: true,
};

const PENDING: ReportStatus[] = ['queued', 'running'];

export type NewReport = Pick<
  ReportEntity,
  'organizationId' | 'requestedBy' | 'kind' | 'format' | 'params' | 'createdAt' | 'expiresAt'
>;

/** The report jobs' rows. Reads by the owner take the owner's id: nobody else's row comes back. */
@Injectable()
export class ReportsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: NewReport): Promise<ReportEntity> {
    return insertReturning(this.tx.manager, ReportEntity, {
      ...values,
      status: 'queued',
    } as QueryDeepPartialEntity<ReportEntity>);
  }

  /** The owner's unexpired reports: all of them, and those still being built. */
  async countOpen(userId: string, now: Date): Promise<{ open: number; pending: number }> {
    const [row] = await this.tx.manager.query<{ open: number; pending: number }[]>(
      `SELECT count(*)::int AS open,
              count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS pending
         FROM reports
        WHERE requested_by = $1 AND expires_at > $2`,
      [userId, now],
    );
    return row;
  }

  /** The report if `userId` asked for it and it has not expired (without the file). */
  findOwn(userId: string, id: string, now: Date): Promise<ReportEntity | null> {
    return this.tx.manager.findOne(ReportEntity, {
      select: WITHOUT_CONTENT,
      where: { id, requestedBy: userId, expiresAt: MoreThan(now) },
    });
  }

  /** The same, with the file. */
  findOwnWithContent(userId: string, id: string, now: Date): Promise<ReportEntity | null> {
    return this.tx.manager.findOne(ReportEntity, {
      where: { id, requestedBy: userId, expiresAt: MoreThan(now) },
    });
  }

  /** For the job: any report (without the file). */
  findForBuild(id: string): Promise<ReportEntity | null> {
    return this.tx.manager.findOne(ReportEntity, { select: WITHOUT_CONTENT, where: { id } });
  }

  /** queued|running -> running at `progress`; false when the report is no longer pending. */
  async markRunning(id: string, progress: number): Promise<boolean> {
    const result = await this.tx.manager.update(
      ReportEntity,
      { id, status: In(PENDING) },
      { status: 'running', progress },
    );
    return (result.affected ?? 0) > 0;
  }

  async setProgress(id: string, progress: number): Promise<void> {
    await this.tx.manager.update(ReportEntity, { id, status: 'running' }, { progress });
  }

  async markDone(
    id: string,
    file: { content: Buffer; contentType: string; filename: string },
    finishedAt: Date,
  ): Promise<boolean> {
    const result = await this.tx.manager.update(
      ReportEntity,
      { id, status: 'running' },
      { ...file, status: 'done', progress: 100, finishedAt, error: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** A pending report fails with a fixed message; whatever was built is dropped. */
  async markFailed(id: string, message: string, finishedAt: Date): Promise<boolean> {
    const result = await this.tx.manager.update(
      ReportEntity,
      { id, status: In(PENDING) },
      { status: 'failed', error: message, finishedAt, content: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Drops an organisation's reports of a kind, in the caller's transaction. */
  async deleteOfKind(organizationId: string, kind: string, em: EntityManager): Promise<number> {
    const result = await em.delete(ReportEntity, { organizationId, kind });
    return result.affected ?? 0;
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.tx.manager.delete(ReportEntity, { expiresAt: LessThanOrEqual(now) });
    return result.affected ?? 0;
  }

  /** Unexpired reports still pending since before `cutoff` (their job may have been lost). */
  async pendingSince(cutoff: Date, now: Date, limit = 1000): Promise<string[]> {
    const rows = await this.tx.manager.find(ReportEntity, {
      select: { id: true },
      where: { status: In(PENDING), createdAt: LessThan(cutoff), expiresAt: MoreThan(now) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
    return rows.map((r) => r.id);
  }
}
