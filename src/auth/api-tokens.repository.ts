import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner } from '../database/transaction';
import { ApiTokenEntity } from './api-token.entity';
import { UserSecretsRepository } from './user-secrets.repository';

/** API tokens: the shared storage of user secrets, and the lookup that authenticates. */
@Injectable()
export class ApiTokensRepository extends UserSecretsRepository<ApiTokenEntity> {
  constructor(tx: TransactionRunner) {
    super(tx, ApiTokenEntity);
  }

  /** The unrevoked token with this hash, with its user, in one query. */
  findUsable(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.tx.manager.findOne(ApiTokenEntity, {
      where: { tokenHash, revokedAt: IsNull() },
      relations: { user: true },
    });
  }
}
