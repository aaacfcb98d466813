import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('answers from the cache until the entry is ttl old, then loads again', async () => {
    const cache = new TtlCache<string, string>(5000, 100, clock);
    const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');
    await expect(cache.getOrLoad('k', load)).resolves.toBe('first');
    now += 4999;
    await expect(cache.getOrLoad('k', load)).resolves.toBe('first');
    now += 1;
    await expect(cache.getOrLoad('k', load)).resolves.toBe('second');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep null answers: an unknown key is asked again next time', async () => {
    const cache = new TtlCache<string, string>(5000, 100, clock);
    const load = jest.fn().mockResolvedValueOnce(null).mockResolvedValueOnce('found');
    await expect(cache.getOrLoad('k', load)).resolves.toBeNull();
    await expect(cache.getOrLoad('k', load)).resolves.toBe('found');
  });

  it('forgets an invalidated key at once, and one key does not touch the others', async () => {
    const cache = new TtlCache<string, string>(5000, 100, clock);
    await cache.getOrLoad('a', async () => 'a1');
    await cache.getOrLoad('b', async () => 'b1');
    cache.invalidate('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('b1');
    cache.invalidate();
    expect(cache.get('b')).toBeUndefined();
  });

  it('never stores what a load read before an invalidation that happened during it', async () => {
    const cache = new TtlCache<string, string>(5000, 100, clock);
    let finish!: (value: string) => void;
    const slow = cache.getOrLoad('k', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.invalidate('k'); // the change commits while the read is in flight
    finish('old');
    await expect(slow).resolves.toBe('old'); // this request may still use what it read...
    expect(cache.get('k')).toBeUndefined(); // ...but the next one looks again
  });

  it('with a ttl of 0 keeps nothing', async () => {
    const cache = new TtlCache<string, string>(0, 100, clock);
    const load = jest.fn().mockResolvedValue('v');
    await cache.getOrLoad('k', load);
    await cache.getOrLoad('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new TtlCache<number, number>(5000, 3, clock);
    for (const n of [1, 2, 3, 4]) await cache.getOrLoad(n, async () => n * 10);
    expect([1, 2, 3, 4].map((n) => cache.get(n))).toEqual([undefined, 20, 30, 40]);
  });
});
