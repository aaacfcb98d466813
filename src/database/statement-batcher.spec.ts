import { BatcherOptions, StatementBatcher } from './statement-batcher';

/** A statement the test finishes by hand: what each run was given, and its pending answer. */
class Statements {
  readonly runs: { items: number[]; finish: () => void; fail: (e: Error) => void }[] = [];
  running = 0;
  mostAtOnce = 0;

  run = (items: number[]): Promise<string[]> =>
    new Promise<string[]>((resolve, reject) => {
      this.running++;
      this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
      const done = () => this.running--;
      this.runs.push({
        items,
        finish: () => {
          done();
          resolve(items.map((i) => `row ${i}`));
        },
        fail: (e) => {
          done();
          reject(e);
        },
      });
    });
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An error one item can cause is any but "connection lost". */
const options = (limits: Partial<BatcherOptions<number>>): BatcherOptions<number> => ({
  inFlight: 2,
  maxBatch: 10,
  maxWaitMs: 60_000,
  busy: () => new Error('busy'),
  itemError: (e) => (e as Error).message !== 'connection lost',
  ...limits,
});

describe('StatementBatcher', () => {
  it('runs a call at once, alone, when nothing else runs', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 2, maxBatch: 10 }));
    const answer = batcher.submit(1);
    expect(s.runs.map((r) => r.items)).toEqual([[1]]);
    s.runs[0].finish();
    await expect(answer).resolves.toBe('row 1');
  });

  it('groups the calls that wait for a free statement, in their order, each answered its own', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 2, maxBatch: 10 }));
    const answers = [1, 2, 3, 4, 5, 6].map((i) => batcher.submit(i));
    expect(s.runs.map((r) => r.items)).toEqual([[1], [2]]);
    s.runs[0].finish();
    await settle();
    expect(s.runs.map((r) => r.items)).toEqual([[1], [2], [3, 4, 5, 6]]);
    s.runs[1].finish();
    s.runs[2].finish();
    await expect(Promise.all(answers)).resolves.toEqual([1, 2, 3, 4, 5, 6].map((i) => `row ${i}`));
    expect(s.mostAtOnce).toBe(2);
  });

  it('never puts more than maxBatch calls in one statement', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 1, maxBatch: 3 }));
    const answers = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => batcher.submit(i));
    for (let i = 0; i < 4; i++) {
      await settle();
      s.runs[i].finish();
    }
    await Promise.all(answers);
    expect(s.runs.map((r) => r.items)).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]]);
    expect(s.mostAtOnce).toBe(1);
  });

  it('runs a failed group again one call at a time, in order: only the bad call gets the error', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 1, maxBatch: 10 }));
    const answers = [1, 2, 3, 4].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    s.runs[0].finish();
    await settle();
    expect(s.runs[1].items).toEqual([2, 3, 4]);
    s.runs[1].fail(new Error('group refused'));
    await settle();
    expect(s.runs.slice(2).map((r) => r.items)).toEqual([[2]]);
    s.runs[2].finish();
    await settle();
    expect(s.runs.slice(2).map((r) => r.items)).toEqual([[2], [3]]);
    s.runs[3].fail(new Error('3 refused'));
    await settle();
    s.runs[4].finish();
    await expect(Promise.all(answers)).resolves.toEqual(['row 1', 'row 2', '3 refused', 'row 4']);
    expect(s.mostAtOnce).toBe(1);
  });

  it('gives a call run alone its own error, and goes on with the next', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 1, maxBatch: 10 }));
    const first = batcher.submit(1);
    const second = batcher.submit(2);
    s.runs[0].fail(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await settle();
    expect(s.runs.map((r) => r.items)).toEqual([[1], [2]]);
    s.runs[1].finish();
    await expect(second).resolves.toBe('row 2');
  });

  it('gives every call of a group an error no item caused, and runs none again', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 1 }));
    const answers = [1, 2, 3].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    s.runs[0].finish();
    await settle();
    s.runs[1].fail(new Error('connection lost'));
    await expect(Promise.all(answers)).resolves.toEqual([
      'row 1',
      'connection lost',
      'connection lost',
    ]);
    await settle();
    expect(s.runs.map((r) => r.items)).toEqual([[1], [2, 3]]);
  });

  it('never puts two calls with one key in a statement: the later goes in the next', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(
      s.run,
      options({ inFlight: 1, keyOf: (i) => (i % 10 === 7 ? 'seven' : undefined) }),
    );
    const answers = [1, 7, 17, 2, 27, 3].map((i) => batcher.submit(i));
    for (let i = 0; i < 4; i++) {
      await settle();
      s.runs[i].finish();
    }
    await Promise.all(answers);
    expect(s.runs.map((r) => r.items)).toEqual([[1], [7, 2, 3], [17], [27]]);
  });

  it('refuses a call that waited longer than maxWaitMs, and never runs it', async () => {
    const s = new Statements();
    const batcher = new StatementBatcher(s.run, options({ inFlight: 1, maxWaitMs: 20 }));
    const first = batcher.submit(1);
    const late = batcher.submit(2);
    await expect(late).rejects.toThrow('busy');
    s.runs[0].finish();
    await expect(first).resolves.toBe('row 1');
    await settle();
    expect(s.runs.map((r) => r.items)).toEqual([[1]]);
  });
});
