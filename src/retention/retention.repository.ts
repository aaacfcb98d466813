import { Injectable } from '@nestjs/common';
import { EntityManager, Not, IsNull } from 'typeorm';
import { TransactionRunner } from '../database/transaction';
import { RetentionPolicyEntity } from './retention-policy.entity';

export type RetentionPolicy = Pick<
  RetentionPolicyEntity,
  'organizationId' | 'closedCaseMonths' | 'keepIndicatorHashes' | 'updatedAt'
>;

/** All SQL of the retention rules. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly tx: TransactionRunner) {}

  find(
    organizationId: string,
    em: EntityManager = this.tx.manager,
  ): Promise<RetentionPolicy | null> {
    return em.findOne(RetentionPolicyEntity, { where: { organizationId } });
  }

  /** The rules that remove something (a number of months set). */
  active(): Promise<RetentionPolicy[]> {
    return this.tx.manager.find(RetentionPolicyEntity, {
      where: { closedCaseMonths: Not(IsNull()) },
      order: { organizationId: 'ASC' },
    });
  }

  async upsert(
    values: Pick<
      RetentionPolicyEntity,
      'organizationId' | 'closedCaseMonths' | 'keepIndicatorHashes' | 'updatedBy' | 'updatedAt'
    >,
    em: EntityManager,
  ): Promise<void> {
    await em.upsert(RetentionPolicyEntity, values, ['organizationId']);
  }
}
