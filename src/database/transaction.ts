import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Work to do once a transaction has committed (never if it rolls back). */
export type AfterCommit = () => Promise<void> | void;

/** A transaction opened by `run`: what waits for its commit. */
interface OpenTransaction {
  afterCommit: AfterCommit[];
}

/**
 * One transaction per use case, opened by the service; repositories take the manager.
 * Work registered with `afterCommit` runs once the outermost `run` has committed.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  /** Keyed by the transaction's connection: a nested `run` shares it (a savepoint). */
  private readonly open = new WeakMap<QueryRunner, OpenTransaction>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a new transaction, or, given the manager of a transaction `run` opened
   * (`within`), in a savepoint of it: a nested run that fails rolls back to its savepoint and
   * forgets the after-commit work registered inside it; the outermost commit runs the rest.
   */
  async run<T>(work: (em: EntityManager) => Promise<T>, within?: EntityManager): Promise<T> {
    const outer = within?.queryRunner && this.open.get(within.queryRunner);
    if (within && outer) {
      const mark = outer.afterCommit.length;
      try {
        return await within.transaction(work);
      } catch (error) {
        outer.afterCommit.length = mark;
        throw error;
      }
    }
    if (within?.queryRunner?.isTransactionActive) {
      throw new Error('TransactionRunner.run within a transaction it did not open');
    }
    const state: OpenTransaction = { afterCommit: [] };
    const result = await this.dataSource.transaction(async (em) => {
      this.open.set(em.queryRunner!, state);
      try {
        return await work(em);
      } finally {
        this.open.delete(em.queryRunner!);
      }
    });
    await this.runAll(state.afterCommit);
    return result;
  }

  /**
   * Registers `callback` to run after the commit of the transaction `em` belongs to; outside a
   * transaction (the plain manager, whose statements commit one by one) it runs now. Failures
   * are logged, never thrown: the transaction has committed.
   */
  async afterCommit(em: EntityManager, callback: AfterCommit): Promise<void> {
    const runner = em.queryRunner;
    const open = runner && this.open.get(runner);
    if (open) {
      open.afterCommit.push(callback);
      return;
    }
    if (runner?.isTransactionActive) {
      // A transaction we cannot see the end of: its commit would never run the callback.
      throw new Error('afterCommit needs a transaction opened by TransactionRunner.run');
    }
    await this.runAll([callback]);
  }

  /** The manager outside any transaction, for single-statement reads and writes. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  private async runAll(callbacks: AfterCommit[]): Promise<void> {
    for (const callback of callbacks) {
      try {
        await callback();
      } catch (error) {
        this.logger.error({ error: (error as Error)?.name ?? 'Error' }, 'after-commit work failed');
      }
    }
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
