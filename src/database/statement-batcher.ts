/** How many grouped statements may run at once, and how many calls one may carry. */
export interface BatcherLimits {
  inFlight: number;
  maxBatch: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups concurrent calls into shared statements (group commit). Up to `inFlight` statements run
 * at once; calls that arrive meanwhile wait and go together in the next one, `maxBatch` at most.
 * Under light load every call is a statement of its own, as before; under heavy load PostgreSQL
 * parses, plans, fires statement triggers and commits once per group instead of once per call.
 *
 * `run` takes the items and answers one output per item, in their order, as ONE statement:
 * all or nothing. A group that fails wrote nothing, so its items are run again one by one, in
 * order, and every caller gets its own outcome (the bad item its error, the others their rows).
 */
export class StatementBatcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly limits: BatcherLimits,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limits.inFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.limits.maxBatch);
      this.running++;
      void this.settle(group).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async settle(group: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.run(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(outs[i]));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      // In their order, one at a time: the earlier call wins a conflict between two of them,
      // and no more than `inFlight` statements run.
      for (const w of group) {
        await this.run([w.item]).then(([out]) => w.resolve(out), w.reject);
      }
    }
  }
}
