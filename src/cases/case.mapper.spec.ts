import { byKindValue, toCaseResponse, toCaseSummary, toItemResponse } from './case.mapper';
import type { CaseRow } from './cases.repository';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-03-04T12:00:00.000Z');

const row: CaseRow = {
  id: '11111111-1111-4111-8111-111111111111',
  reference: 'ESC-2026-000042',
  organizationId: '00000000-0000-4000-8000-00000000000a',
  createdBy: '00000000-0000-4000-8000-000000000001',
  platformId: '22222222-2222-4222-8222-222222222222',
  channelId: '33333333-3333-4333-8333-333333333333',
  platformCode: 'meta',
  channelCode: 'trusted-partner',
  expectedResponseHours: 72,
  contactId: null,
  ownerId: null,
  title: 'Threats after a stream',
  summary: 'A pile-on',
  categoryCode: 'threats',
  subcategoryCode: 'death_physical_threat',
  targetGroups: ['women'],
  country: 'MX',
  contentLanguage: 'es',
  urgency: 'high',
  tlp: 'AMBER',
  sharedOrganizationIds: ['00000000-0000-4000-8000-00000000000b'],
  sharedUserIds: [],
  consentToSharePattern: true,
  platformReference: 'T-1',
  status: 'acknowledged',
  outcome: null,
  escalatedAt: at('2026-03-01T10:00:00.000Z'),
  dueAt: at('2026-03-04T10:00:00.000Z'),
  firstResponseAt: at('2026-03-02T10:00:30.400Z'),
  resolvedAt: null,
  closedAt: null,
  pausedAt: null,
  pausedSeconds: 0,
  needsContact: false,
  contentRemovedAt: null,
  version: 3,
  createdAt: at('2026-03-01T09:00:00.000Z'),
  updatedAt: at('2026-03-02T10:00:31.000Z'),
} as CaseRow;

const SUMMARY = {
  id: '11111111-1111-4111-8111-111111111111',
  reference: 'ESC-2026-000042',
  organizationId: '00000000-0000-4000-8000-00000000000a',
  createdBy: '00000000-0000-4000-8000-000000000001',
  platformCode: 'meta',
  channelCode: 'trusted-partner',
  contactId: null,
  ownerId: null,
  title: 'Threats after a stream',
  summary: 'A pile-on',
  categoryCode: 'threats',
  subcategoryCode: 'death_physical_threat',
  targetGroups: ['women'],
  country: 'MX',
  contentLanguage: 'es',
  urgency: 'high',
  tlp: 'AMBER',
  shareWithOrganizationIds: ['00000000-0000-4000-8000-00000000000b'],
  shareWithUserIds: [],
  consentToSharePattern: true,
  platformReference: 'T-1',
  status: 'acknowledged',
  outcome: null,
  escalatedAt: '2026-03-01T10:00:00.000Z',
  dueAt: '2026-03-04T10:00:00.000Z',
  firstResponseAt: '2026-03-02T10:00:30.400Z',
  resolvedAt: null,
  closedAt: null,
  paused: false,
  pausedSeconds: 0,
  overdue: true,
  needsContact: false,
  contentRemovedAt: null,
  timeToFirstResponseSeconds: 86430,
  timeToResolutionSeconds: null,
  version: 3,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-02T10:00:31.000Z',
};

describe('case mapper', () => {
  it('maps a row to the summary, field by field', () => {
    expect(toCaseSummary(row, NOW)).toStrictEqual(SUMMARY);
  });

  it('derives paused, overdue and the durations', () => {
    const paused = toCaseSummary({ ...row, pausedAt: at('2026-03-03T00:00:00Z') }, NOW);
    expect(paused.paused).toBe(true);
    expect(paused.overdue).toBe(false);
    const resolved = toCaseSummary(
      { ...row, status: 'resolved', resolvedAt: at('2026-03-03T10:00:00.600Z') },
      NOW,
    );
    expect(resolved.overdue).toBe(false);
    expect(resolved.timeToResolutionSeconds).toBe(172801);
    expect(toCaseSummary({ ...row, dueAt: at('2026-03-05T00:00:00Z') }, NOW).overdue).toBe(false);
  });

  it('never lets a column the DTO does not name reach the answer', () => {
    const wide = {
      ...row,
      patternKey: 123456,
      overdueFor: at('2026-03-04T10:00:00Z'),
      nextReminderAt: at('2026-03-05T10:00:00Z'),
      remindersSent: 2,
      valueHash: 'ab'.repeat(32),
      platformId: row.platformId,
      sharedUserIds: [],
    } as unknown as CaseRow;
    const summary = toCaseSummary(wide, NOW);
    expect(summary).toStrictEqual(SUMMARY);
    expect(Object.keys(summary).sort()).toEqual(Object.keys(SUMMARY).sort());
    for (const leaked of [
      'patternKey',
      'overdueFor',
      'nextReminderAt',
      'remindersSent',
      'platformId',
      'channelId',
      'sharedOrganizationIds',
      'sharedUserIds',
      'pausedAt',
      'expectedResponseHours',
      'valueHash',
    ]) {
      expect(summary).not.toHaveProperty(leaked);
    }
  });

  it('takes a summary of another shape as it comes, from its own field only', () => {
    const odd = { ...row, summary: { nested: 'object' } } as unknown as CaseRow;
    expect(toCaseSummary(odd, NOW).summary).toEqual({ nested: 'object' });
    expect(Object.keys(toCaseSummary(odd, NOW))).toEqual(Object.keys(SUMMARY));
  });

  it('maps items and indicators by allow-list (never the indicator hash)', () => {
    const items = [
      {
        url: 'https://example.org/p/1',
        kind: 'post' as const,
        contentSha256: null,
        capturedAt: at('2026-03-01T08:00:00.000Z'),
        position: 0,
        caseId: row.id,
      },
    ];
    const indicators = [
      { kind: 'hashtag' as const, value: 'fuera', valueHash: 'ff'.repeat(32), organizationId: 'x' },
    ];
    const body = toCaseResponse(row, items, indicators, NOW);
    expect(body).toStrictEqual({
      ...SUMMARY,
      items: [
        {
          url: 'https://example.org/p/1',
          kind: 'post',
          contentSha256: null,
          capturedAt: '2026-03-01T08:00:00.000Z',
        },
      ],
      indicators: [{ kind: 'hashtag', value: 'fuera' }],
    });
    expect(
      toItemResponse({ url: 'u', kind: 'image', contentSha256: 'a'.repeat(64), capturedAt: null }),
    ).toStrictEqual({ url: 'u', kind: 'image', contentSha256: 'a'.repeat(64), capturedAt: null });
  });

  it('orders indicators by kind, then value', () => {
    const list = [
      { kind: 'url', value: 'b' },
      { kind: 'hashtag', value: 'z' },
      { kind: 'url', value: 'a' },
      { kind: 'hashtag', value: 'a' },
      { kind: 'hashtag', value: 'a' },
    ];
    expect([...list].sort(byKindValue)).toEqual([
      { kind: 'hashtag', value: 'a' },
      { kind: 'hashtag', value: 'a' },
      { kind: 'hashtag', value: 'z' },
      { kind: 'url', value: 'a' },
      { kind: 'url', value: 'b' },
    ]);
  });
});
