import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** One transaction per use case, opened by the service; repositories take the manager. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The manager outside any transaction, for single-statement reads and writes. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}

/**
 * Serialises a critical section across replicas until the transaction ends. A text key is
 * hashed, so `contact-succession-<platformId>` locks one platform's successions only.
 */
export async function lockForTransaction(em: EntityManager, key: number | string): Promise<void> {
  if (typeof key === 'number') await em.query('SELECT pg_advisory_xact_lock($1)', [key]);
  else await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}
