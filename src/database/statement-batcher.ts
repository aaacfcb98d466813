export interface BatcherOptions<I> {
  /** How many grouped statements may run at once. */
  inFlight: number;
  /** How many calls one statement may carry. */
  maxBatch: number;
  /** The longest a call waits for a statement before it is refused with `busy()`. */
  maxWaitMs: number;
  busy: () => Error;
  /**
   * Whether a group's error can be one item's doing (a refused value, a constraint): then the
   * items are run again one by one. Any other error (a lost connection, a timeout) is every
   * item's answer: running them again would multiply the wait, and after a lost connection the
   * group may have committed.
   */
  itemError: (error: unknown) => boolean;
  /** Items with the same key never share a statement: they would conflict with each other. */
  keyOf?: (item: I) => string | undefined;
}

interface Waiting<I, O> {
  item: I;
  key: string | undefined;
  resolve: (out: O) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Groups concurrent calls into shared statements (group commit). Up to `inFlight` statements run
 * at once; calls that arrive meanwhile wait and go together in the next one, `maxBatch` at most.
 * Under light load every call is a statement of its own, as before; under heavy load PostgreSQL
 * parses, plans, fires statement triggers and commits once per group instead of once per call.
 *
 * `run` takes the items and answers one output per item, in their order, as ONE statement:
 * all or nothing. A group refused for one item's sake wrote nothing, so its items are run again
 * one by one, in order, and every caller gets its own outcome (the bad item its error, the
 * others their rows).
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const waiting: Waiting<I, O> = {
        item,
        key: this.options.keyOf?.(item),
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting = this.waiting.filter((w) => w !== waiting);
          reject(this.options.busy());
        }, this.options.maxWaitMs),
      };
      waiting.timer.unref();
      this.waiting.push(waiting);
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.options.inFlight && this.waiting.length > 0) {
      const group = this.take();
      this.running++;
      void this.settle(group).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  /** The next group, in arrival order; a call whose key is already in it waits for the next. */
  private take(): Waiting<I, O>[] {
    const group: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    const rest: Waiting<I, O>[] = [];
    for (const w of this.waiting) {
      if (group.length < this.options.maxBatch && (w.key === undefined || !keys.has(w.key))) {
        clearTimeout(w.timer);
        group.push(w);
        if (w.key !== undefined) keys.add(w.key);
      } else {
        rest.push(w);
      }
    }
    this.waiting = rest;
    return group;
  }

  private async settle(group: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.run(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(outs[i]));
    } catch (error) {
      if (group.length === 1 || !this.options.itemError(error)) {
        for (const w of group) w.reject(error);
        return;
      }
      // In their order, one at a time: no more than `inFlight` statements run.
      for (const w of group) {
        await this.run([w.item]).then(([out]) => w.resolve(out), w.reject);
      }
    }
  }
}
