import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '../../src/common/events/domain-events';
import { EventMap } from '../../src/common/events/event-map';
import { OnEvent } from '../../src/common/events/on-event.decorator';
import { dataSourceOptions } from '../../src/database/data-source';
import { TransactionRunner } from '../../src/database/transaction';
import { cloneTemplateDatabase, dropDatabase } from '../support/test-db';

type Departed = EventMap['contact.departed'];
const departure = (contactId: string): Departed => ({
  contactId,
  successorId: null,
  leftOn: '2026-01-01',
});

/** A feature reacting to `contact.departed` in both phases, with switches to make it fail. */
@Injectable()
class Probe {
  failInTransaction = false;
  failAfterCommit = false;
  /** What each after-commit call saw committed (read on another connection). */
  readonly afterCommit: { contactId: string; committed: string[] }[] = [];

  constructor(private readonly dataSource: DataSource) {}

  @OnEvent('contact.departed', 'in-transaction')
  async record(payload: Departed, em: EntityManager): Promise<void> {
    await em.query('INSERT INTO event_probe (label) VALUES ($1)', [`in-tx ${payload.contactId}`]);
    if (this.failInTransaction) throw new Error('in-transaction handler failed');
  }

  @OnEvent('contact.departed', 'after-commit')
  async follow(payload: Departed): Promise<void> {
    if (this.failAfterCommit) throw new Error(`secret ${payload.leftOn}`);
    this.afterCommit.push({
      contactId: payload.contactId,
      committed: await labels(this.dataSource),
    });
  }
}

/** A second after-commit handler: runs even when the first one failed. */
@Injectable()
class SecondProbe {
  readonly seen: string[] = [];
  @OnEvent('contact.departed', 'after-commit')
  follow(payload: Departed): void {
    this.seen.push(payload.contactId);
  }
}

async function labels(dataSource: DataSource): Promise<string[]> {
  const rows: { label: string }[] = await dataSource.query(
    'SELECT label FROM event_probe ORDER BY id',
  );
  return rows.map((r) => r.label);
}

describe('domain events on real transactions', () => {
  let database: { name: string; url: string };
  let dataSource: DataSource;
  let tx: TransactionRunner;
  let events: DomainEvents;
  let probe: Probe;
  let second: SecondProbe;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await cloneTemplateDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url, 4)).initialize();
    await dataSource.query('CREATE TABLE event_probe (id serial PRIMARY KEY, label text NOT NULL)');
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        { provide: DataSource, useValue: dataSource },
        TransactionRunner,
        DomainEvents,
        Probe,
        SecondProbe,
      ],
    }).compile();
    const app = await moduleRef.init();
    tx = app.get(TransactionRunner);
    events = app.get(DomainEvents);
    probe = app.get(Probe);
    second = app.get(SecondProbe);
    close = () => app.close();
  });

  afterAll(async () => {
    await close?.();
    await dataSource?.destroy();
    if (database) await dropDatabase(database.name);
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE event_probe');
    probe.failInTransaction = false;
    probe.failAfterCommit = false;
    probe.afterCommit.length = 0;
    second.seen.length = 0;
  });

  it('finds the handlers of each phase at boot', () => {
    expect(events.handlersOf('contact.departed')).toEqual({
      'in-transaction': ['Probe.record'],
      'after-commit': ['Probe.follow', 'SecondProbe.follow'],
    });
    expect(events.handlersOf('case.deadline-changed')).toEqual({
      'in-transaction': [],
      'after-commit': [],
    });
  });

  it('runs in-transaction handlers with the emitter’s manager, after-commit ones once after the commit', async () => {
    const result = await tx.run(async (em) => {
      await em.query("INSERT INTO event_probe (label) VALUES ('write')");
      await events.emit(em, 'contact.departed', departure('c1'));
      // Nothing after commit yet: the transaction is still open.
      expect(probe.afterCommit).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    // The after-commit handler ran before `run` resolved, once, and saw both rows committed.
    expect(probe.afterCommit).toEqual([{ contactId: 'c1', committed: ['write', 'in-tx c1'] }]);
    expect(second.seen).toEqual(['c1']);
  });

  it('rolls the whole write back when an in-transaction handler fails, and runs no after-commit handler', async () => {
    probe.failInTransaction = true;
    await expect(
      tx.run(async (em) => {
        await em.query("INSERT INTO event_probe (label) VALUES ('write')");
        await events.emit(em, 'contact.departed', departure('c2'));
      }),
    ).rejects.toThrow('in-transaction handler failed');
    await expect(labels(dataSource)).resolves.toEqual([]);
    expect(probe.afterCommit).toEqual([]);
    expect(second.seen).toEqual([]);
  });

  it('never runs after-commit handlers when the transaction rolls back after the emit', async () => {
    await expect(
      tx.run(async (em) => {
        await events.emit(em, 'contact.departed', departure('c3'));
        throw new Error('later failure');
      }),
    ).rejects.toThrow('later failure');
    await expect(labels(dataSource)).resolves.toEqual([]);
    expect(probe.afterCommit).toEqual([]);
    expect(second.seen).toEqual([]);
  });

  it('logs a failed after-commit handler with ids only, keeps the write and runs the others', async () => {
    probe.failAfterCommit = true;
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(
        tx.run(async (em) => {
          await events.emit(em, 'contact.departed', departure('c4'));
          return 1;
        }),
      ).resolves.toBe(1);
      await expect(labels(dataSource)).resolves.toEqual(['in-tx c4']);
      expect(second.seen).toEqual(['c4']);
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0]).toEqual([
        {
          event: 'contact.departed',
          handler: 'Probe.follow',
          contactId: 'c4',
          successorId: null,
          error: 'Error',
        },
        'after-commit handler failed',
      ]);
      expect(JSON.stringify(error.mock.calls)).not.toContain('secret');
      expect(JSON.stringify(error.mock.calls)).not.toContain('2026-01-01');
    } finally {
      error.mockRestore();
    }
  });

  it('dispatches a nested run’s events once, at the outermost commit', async () => {
    await tx.run(async (em) => {
      await tx.run(async (inner) => {
        expect(inner).toBe(em);
        await events.emit(inner, 'contact.departed', departure('nested'));
      }, em);
      // The savepoint was released, the transaction is still open: nothing dispatched yet.
      expect(probe.afterCommit).toEqual([]);
      await events.emit(em, 'contact.departed', departure('outer'));
    });
    expect(probe.afterCommit.map((c) => c.contactId)).toEqual(['nested', 'outer']);
    expect(probe.afterCommit[0].committed).toEqual(['in-tx nested', 'in-tx outer']);
    expect(second.seen).toEqual(['nested', 'outer']);
  });

  it('forgets the events of a nested run that rolled back to its savepoint', async () => {
    await tx.run(async (em) => {
      await expect(
        tx.run(async (inner) => {
          await events.emit(inner, 'contact.departed', departure('undone'));
          throw new Error('nested failure');
        }, em),
      ).rejects.toThrow('nested failure');
      await events.emit(em, 'contact.departed', departure('kept'));
    });
    await expect(labels(dataSource)).resolves.toEqual(['in-tx kept']);
    expect(probe.afterCommit.map((c) => c.contactId)).toEqual(['kept']);
    expect(second.seen).toEqual(['kept']);
  });

  it('outside a transaction (statements commit one by one) runs after-commit handlers at once', async () => {
    await events.emit(tx.manager, 'contact.departed', departure('plain'));
    expect(probe.afterCommit).toEqual([{ contactId: 'plain', committed: ['in-tx plain'] }]);
  });

  it('refuses to emit in a transaction TransactionRunner did not open (its commit would be missed)', async () => {
    await expect(
      dataSource.transaction((em) => events.emit(em, 'contact.departed', departure('lost'))),
    ).rejects.toThrow('afterCommit needs a transaction opened by TransactionRunner.run');
    await expect(labels(dataSource)).resolves.toEqual([]);
    expect(probe.afterCommit).toEqual([]);
  });
});
