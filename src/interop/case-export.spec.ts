import { CaseResponseDto } from '../cases/dto/case.dto';
import { buildCaseMispEvent } from './misp';
import { buildCaseBundle } from './stix';
import {
  caseName,
  exportIndicators,
  exportItems,
  exportUrl,
  hashAlgorithm,
  stixAccountType,
  toCaseExportInput,
} from './case-export';

const party = (id: string, name: string) => ({
  id,
  name,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-02-01T00:00:00.000Z',
});

/** A full case answer, every field filled, survivor data included. */
function answer(overrides: Partial<CaseResponseDto> = {}): CaseResponseDto {
  return {
    id: '3f0e0d4a-1111-4111-8111-111111111111',
    reference: 'ESC-2026-000123',
    organizationId: 'org-a',
    createdBy: 'user-1',
    platformCode: 'facebook',
    channelCode: 'trusted_partner',
    contactId: 'contact-secret-id',
    ownerId: 'user-1',
    title: 'Title naming Ana',
    summary: 'Summary with her address',
    categoryCode: 'ncii',
    subcategoryCode: null,
    targetGroups: ['women', 'sex_workers'],
    country: 'BO',
    contentLanguage: 'es',
    urgency: 'critical',
    tlp: 'AMBER',
    shareWithOrganizationIds: ['org-c'],
    shareWithUserIds: [],
    consentToSharePattern: true,
    platformReference: 'FB-TICKET-998',
    status: 'resolved',
    outcome: 'content_removed',
    escalatedAt: '2026-03-02T10:00:00.000Z',
    dueAt: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    paused: false,
    pausedSeconds: 0,
    overdue: false,
    needsContact: false,
    contentRemovedAt: null,
    timeToFirstResponseSeconds: null,
    timeToResolutionSeconds: null,
    version: 3,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-03T10:00:00.000Z',
    items: [
      {
        url: 'https://facebook.com/p/1',
        kind: 'post',
        contentSha256: 'f'.repeat(64),
        capturedAt: null,
      },
    ],
    indicators: [{ kind: 'account_handle', value: 'attacker_1' }],
    ...overrides,
  };
}

describe('toCaseExportInput', () => {
  const context = {
    organization: party('org-a', 'Helpline A'),
    platform: { ...party('p-1', 'Facebook'), code: 'facebook' },
    sharedOrganizations: [{ id: 'org-c', name: 'Helpline C' }],
  };

  it('keeps what exports need and nothing about the survivor', () => {
    const input = toCaseExportInput(answer(), context);
    expect(input).toEqual({
      id: '3f0e0d4a-1111-4111-8111-111111111111',
      reference: 'ESC-2026-000123',
      tlp: 'AMBER',
      categoryCode: 'ncii',
      subcategoryCode: null,
      urgency: 'critical',
      status: 'resolved',
      createdAt: '2026-03-02T10:00:00.000Z',
      updatedAt: '2026-03-03T10:00:00.000Z',
      escalatedAt: '2026-03-02T10:00:00.000Z',
      organization: context.organization,
      platform: context.platform,
      sharedOrganizations: [{ id: 'org-c', name: 'Helpline C' }],
      items: [{ url: 'https://facebook.com/p/1', kind: 'post', capturedAt: null }],
      indicators: [{ kind: 'account_handle', value: 'attacker_1' }],
    });
    const json = JSON.stringify(input);
    for (const secret of [
      'Title naming Ana',
      'Summary with her address',
      'contact-secret-id',
      'FB-TICKET-998',
      'sex_workers',
      'user-1',
      'f'.repeat(64),
    ]) {
      expect(json).not.toContain(secret);
    }
  });

  it('gives exports that hold none of it, in STIX or MISP', () => {
    const input = toCaseExportInput(answer(), context);
    for (const output of [buildCaseBundle(input), buildCaseMispEvent(input)]) {
      const json = JSON.stringify(output);
      for (const secret of ['Ana', 'her address', 'contact-secret-id', 'FB-TICKET-998', 'user-1']) {
        expect(json).not.toContain(secret);
      }
      expect(json).toContain('ESC-2026-000123');
      expect(json).toContain('attacker_1');
    }
  });

  it('names organisations only for AMBER', () => {
    expect(toCaseExportInput(answer({ tlp: 'GREEN' }), context).sharedOrganizations).toEqual([]);
  });
});

describe('caseName', () => {
  it('is the reference and the English category label', () => {
    expect(caseName({ reference: 'ESC-2026-000001', categoryCode: 'impersonation' })).toBe(
      'ESC-2026-000001: Impersonation and fake profiles',
    );
  });
});

describe('exportUrl', () => {
  it.each([
    ['https://www.facebook.com/p/1/?fbclid=x&utm_source=y', 'https://facebook.com/p/1'],
    ['https://user:secret@x.com/a#access_token=abc', 'https://x.com/a'],
    ['https://x.com/a|b^c[d]/100%?q={1}', 'https://x.com/a%7Cb%5Ec%5Bd%5D/100%25?q=%7B1%7D'],
    ['https://exämple.com/ñ path', 'https://xn--exmple-cua.com/%C3%B1%20path'],
    ["https://x.com/it's(1)", "https://x.com/it's(1)"],
  ])('exports %j as %j', (raw, expected) => {
    expect(exportUrl(raw)).toBe(expected);
  });

  it.each(['ftp://x.com/a', 'not a url', 'https://x.com/a\nb', 'javascript:alert(1)'])(
    'refuses %j',
    (raw) => {
      expect(exportUrl(raw)).toBeNull();
    },
  );
});

describe('exportIndicators and exportItems', () => {
  it('normalise again, drop invalid values and duplicates, and sort', () => {
    expect(
      exportIndicators({
        indicators: [
          { kind: 'url', value: 'https://m.facebook.com/x?fbclid=1' },
          { kind: 'url', value: 'https://facebook.com/x' },
          { kind: 'account_handle', value: '@Attacker' },
          { kind: 'account_handle', value: "o'brien" },
          { kind: 'domain', value: 'evil.example/path' },
          { kind: 'phone', value: '0059170012345' },
        ],
      }),
    ).toEqual([
      { kind: 'account_handle', value: 'attacker' },
      { kind: 'phone', value: '+59170012345' },
      { kind: 'url', value: 'https://facebook.com/x' },
    ]);
  });

  it('list each item URL once, with the first item’s kind', () => {
    expect(
      exportItems({
        items: [
          { url: 'https://facebook.com/x?igsh=share', kind: 'post', capturedAt: null },
          { url: 'https://facebook.com/x', kind: 'comment', capturedAt: null },
          { url: 'mailto:a@b.c', kind: 'other', capturedAt: null },
        ],
      }),
    ).toEqual([{ url: 'https://facebook.com/x', kind: 'post', capturedAt: null }]);
  });
});

describe('hashAlgorithm', () => {
  it.each([
    ['a'.repeat(32), 'MD5'],
    ['a'.repeat(40), 'SHA-1'],
    ['a'.repeat(64), 'SHA-256'],
    ['a'.repeat(128), 'SHA-512'],
    ['a'.repeat(16), null],
    ['A'.repeat(64), null],
    ['g'.repeat(64), null],
  ])('reads %s as %s', (hex, algorithm) => {
    expect(hashAlgorithm(hex)).toBe(algorithm);
  });
});

describe('stixAccountType', () => {
  it('maps only to the STIX vocabulary', () => {
    expect(['facebook', 'x', 'instagram', 'tiktok', 'constructor'].map(stixAccountType)).toEqual([
      'facebook',
      'twitter',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
