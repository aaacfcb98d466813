/**
 * A small per-process cache for lookups every request repeats (who is this token's user, which
 * channel is `facebook/report_form`). Entries live `ttlMs` at most, so another process's change
 * is seen within that time; this process's own changes call `invalidate`, effective at once.
 *
 * A load that started before an invalidation never stores its (possibly old) answer: a change
 * committed while a request was reading cannot be cached for a whole TTL.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** The cached value, else `load()`'s; `undefined` and `null` answers are not cached. */
  async getOrLoad(key: K, load: () => Promise<V | null | undefined>): Promise<V | null> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const value = await load();
    if (value === null || value === undefined) return null;
    if (generation === this.generation) this.set(key, value);
    return value;
  }

  /** One key, or everything (reference data changed in a way that touches many keys). */
  invalidate(key?: K): void {
    this.generation++;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  private set(key: K, value: V): void {
    if (this.ttlMs <= 0) return;
    // Oldest first: Map keeps insertion order, so dropping the first entry bounds the memory.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }
}
