import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { TransactionRunner } from '../database/transaction';
import { WebSessionEntity } from './web-session.entity';

@Injectable()
export class WebSessionsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  async insert(values: Omit<WebSessionEntity, 'id' | 'user'>): Promise<void> {
    await this.tx.manager.insert(WebSessionEntity, values);
  }

  /** The session with this hash and its user, in one query. */
  findByHash(tokenHash: string): Promise<WebSessionEntity | null> {
    return this.tx.manager.findOne(WebSessionEntity, {
      where: { tokenHash },
      relations: { user: true },
    });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.tx.manager.update(WebSessionEntity, { id }, { lastSeenAt: at });
  }

  async deleteByHash(tokenHash: string): Promise<void> {
    await this.tx.manager.delete(WebSessionEntity, { tokenHash });
  }

  /** Every session that can no longer be used (past its end, or idle too long), at each sign-in. */
  async deleteUnusable(now: Date, idleSince: Date): Promise<void> {
    await this.tx.manager.delete(WebSessionEntity, [
      { expiresAt: LessThan(now) },
      { lastSeenAt: LessThan(idleSince) },
    ]);
  }
}
