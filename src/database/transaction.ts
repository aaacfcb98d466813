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

/** Serialises a critical section across replicas until the transaction ends. */
export async function lockForTransaction(em: EntityManager, lockId: number): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock($1)', [lockId]);
}
