import { retentionCutoff } from './retention-cutoff';

describe('retentionCutoff', () => {
  const at = (iso: string) => new Date(iso);

  it('goes back whole calendar months, keeping the time of day', () => {
    expect(retentionCutoff(at('2026-12-07T06:30:00.000Z'), 24).toISOString()).toBe(
      '2024-12-07T06:30:00.000Z',
    );
    expect(retentionCutoff(at('2026-03-15T00:00:00.000Z'), 1).toISOString()).toBe(
      '2026-02-15T00:00:00.000Z',
    );
  });

  it('crosses year boundaries', () => {
    expect(retentionCutoff(at('2026-01-10T12:00:00.000Z'), 13).toISOString()).toBe(
      '2024-12-10T12:00:00.000Z',
    );
  });

  it("clamps to the target month's last day", () => {
    expect(retentionCutoff(at('2026-03-31T08:00:00.000Z'), 1).toISOString()).toBe(
      '2026-02-28T08:00:00.000Z',
    );
    expect(retentionCutoff(at('2028-03-31T08:00:00.000Z'), 1).toISOString()).toBe(
      '2028-02-29T08:00:00.000Z',
    );
  });
});
