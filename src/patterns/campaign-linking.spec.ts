import { IndicatorSighting, linkCampaigns } from './campaign-linking';

const day = (d: number) => new Date(Date.UTC(2026, 2, 1) + d * 86_400_000);
const s = (hash: string, caseId: string, org: string, d: number): IndicatorSighting => ({
  hash,
  caseId,
  organizationId: org,
  escalatedAt: day(d),
});

describe('campaign linking', () => {
  it('links cases of two organisations sharing a hash within the window', () => {
    const found = linkCampaigns([s('h1', 'c1', 'A', 0), s('h1', 'c2', 'B', 10)], 30);
    expect(found).toEqual([
      { caseIds: ['c1', 'c2'], organizationIds: ['A', 'B'], firstSeen: day(0), lastSeen: day(10) },
    ]);
  });

  it('does not link beyond the window, nor cases of one organisation only', () => {
    expect(linkCampaigns([s('h1', 'c1', 'A', 0), s('h1', 'c2', 'B', 31)], 30)).toEqual([]);
    expect(linkCampaigns([s('h1', 'c1', 'A', 0), s('h1', 'c2', 'A', 1)], 30)).toEqual([]);
  });

  it('chains through time and across hashes into one campaign', () => {
    const found = linkCampaigns(
      [
        s('h1', 'c1', 'A', 0),
        s('h1', 'c2', 'A', 25),
        s('h2', 'c2', 'A', 25),
        s('h2', 'c3', 'B', 50),
        s('h3', 'c9', 'C', 0), // alone: no campaign
      ],
      30,
    );
    expect(found).toHaveLength(1);
    expect(found[0].caseIds).toEqual(['c1', 'c2', 'c3']);
    expect(found[0].organizationIds).toEqual(['A', 'B']);
    expect(found[0].lastSeen).toEqual(day(50));
  });

  it('keeps separate campaigns separate', () => {
    const found = linkCampaigns(
      [s('h1', 'a1', 'A', 0), s('h1', 'b1', 'B', 1), s('h2', 'a2', 'A', 0), s('h2', 'c1', 'C', 2)],
      30,
    );
    expect(found.map((f) => f.caseIds)).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
    ]);
  });
});
