import { randomUUID } from 'node:crypto';
import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';
import { CampaignExportInput, CaseExportInput } from './case-export';
import {
  buildCampaignMispEvent,
  buildCaseMispEvent,
  MispAttribute,
  MispEvent,
  mispInfo,
} from './misp';

/** MISP describeTypes.json category_type_mappings, for the categories we use. */
const CATEGORY_TYPES: Record<string, string[]> = {
  'Network activity': ['url', 'domain', 'hostname', 'text', 'comment', 'other'],
  'Social network': ['twitter-id', 'github-username', 'jabber-id', 'text', 'comment', 'other'],
  'Payload delivery': ['md5', 'sha1', 'sha256', 'sha512', 'url', 'domain', 'text'],
  Other: ['comment', 'text', 'other', 'hex', 'phone-number'],
  Attribution: ['threat-actor', 'campaign-name', 'campaign-id', 'comment', 'text'],
};

const SECRETS = ['Ana Quispe doxxed at Calle Sucre 42', 'Her address was posted'];

function caseInput(overrides: Partial<CaseExportInput> = {}): CaseExportInput {
  return {
    id: randomUUID(),
    reference: 'ESC-2026-000123',
    tlp: 'AMBER+STRICT',
    categoryCode: 'doxxing',
    subcategoryCode: null,
    urgency: 'normal',
    status: 'acknowledged',
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-05T08:30:00.900Z',
    escalatedAt: '2026-03-02T23:30:00.000Z',
    organization: {
      id: randomUUID(),
      name: 'Línea Violeta',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    },
    platform: {
      id: randomUUID(),
      code: 'instagram',
      name: 'Instagram',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    },
    sharedOrganizations: [],
    items: [
      { url: 'https://instagram.com/p/abc?igsh=SHARER', kind: 'post', capturedAt: null },
      { url: 'https://evil.example/x', kind: 'profile', capturedAt: null },
    ],
    indicators: [
      { kind: 'url', value: 'https://evil.example/x' },
      { kind: 'domain', value: 'Evil.Example' },
      { kind: 'account_handle', value: '@Attacker_1' },
      { kind: 'hashtag', value: '#FueraAna' },
      { kind: 'phone', value: '+591 700 12345' },
      { kind: 'image_hash', value: 'sha256:' + 'C'.repeat(64) },
      { kind: 'image_hash', value: 'a'.repeat(32) },
      { kind: 'image_hash', value: 'e'.repeat(16) },
      { kind: 'account_handle', value: 'bad\nhandle' },
    ],
    ...overrides,
  };
}

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The core format's required fields and their JSON types (draft-dulaunoy-misp-core-format). */
function expectWellFormed(event: MispEvent): void {
  const e = event.Event;
  expect(e.uuid).toMatch(UUID);
  expect(typeof e.info).toBe('string');
  expect(e.info.length).toBeGreaterThan(0);
  expect([...e.info].length).toBeLessThanOrEqual(256);
  expect(e.info).not.toMatch(/[\r\n]/);
  expect(e.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(['1', '2', '3', '4']).toContain(e.threat_level_id);
  expect(['0', '1', '2']).toContain(e.analysis);
  expect(['0', '1', '2', '3', '4']).toContain(e.distribution);
  expect(e.published).toBe(false);
  expect(e.timestamp).toMatch(NUMERIC);
  expect(e.publish_timestamp).toBe('0');
  expect(e.attribute_count).toBe(String(e.Attribute.length));
  expect(e.Orgc).toEqual({ uuid: expect.stringMatching(UUID), name: expect.any(String) });
  // Distribution 4 names its group by the SharingGroup object; every other one has group "0".
  if (e.distribution === '4') expect(e.SharingGroup?.uuid).toMatch(UUID);
  else expect(e.sharing_group_id).toBe('0');
  const uuids = e.Attribute.map((a) => a.uuid);
  expect(new Set(uuids).size).toBe(uuids.length);
  for (const a of e.Attribute) expectAttribute(a);
}

function expectAttribute(a: MispAttribute): void {
  expect(a.uuid).toMatch(UUID);
  expect(CATEGORY_TYPES[a.category]).toContain(a.type);
  expect(typeof a.value).toBe('string');
  expect(a.value).not.toMatch(/[\r\n]/);
  expect(typeof a.to_ids).toBe('boolean');
  expect(a.distribution).toBe('5');
  expect(a.sharing_group_id).toBe('0');
  expect(a.timestamp).toMatch(NUMERIC);
  expect(a.deleted).toBe(false);
}

describe('buildCaseMispEvent', () => {
  const expected: Record<Tlp, { distribution: string; tag: string; colour: string }> = {
    RED: { distribution: '0', tag: 'tlp:red', colour: '#FF2B2B' },
    'AMBER+STRICT': { distribution: '0', tag: 'tlp:amber+strict', colour: '#FFC000' },
    AMBER: { distribution: '4', tag: 'tlp:amber', colour: '#FFC000' },
    GREEN: { distribution: '1', tag: 'tlp:green', colour: '#33FF00' },
    CLEAR: { distribution: '3', tag: 'tlp:clear', colour: '#FFFFFF' },
  };
  const named = [{ id: randomUUID(), name: 'Helpline C' }];

  it.each(TLP_LEVELS)('maps %s to its distribution and tlp tag', (tlp) => {
    const input = caseInput({ tlp, sharedOrganizations: tlp === 'AMBER' ? named : [] });
    const event = buildCaseMispEvent(input);
    expectWellFormed(event);
    expect(event.Event.distribution).toBe(expected[tlp].distribution);
    expect(event.Event.Tag).toEqual([
      { name: expected[tlp].tag, colour: expected[tlp].colour, exportable: true },
    ]);
    if (tlp === 'AMBER') {
      expect(event.Event).not.toHaveProperty('sharing_group_id');
      expect(event.Event.SharingGroup).toMatchObject({
        uuid: expect.stringMatching(UUID),
        Organisation: { uuid: input.organization.id, name: 'Línea Violeta' },
        SharingGroupOrg: [
          { extend: false, Organisation: { uuid: input.organization.id, name: 'Línea Violeta' } },
          { extend: false, Organisation: { uuid: named[0].id, name: 'Helpline C' } },
        ],
      });
    } else {
      expect(event.Event.sharing_group_id).toBe('0');
      expect(event.Event).not.toHaveProperty('SharingGroup');
    }
  });

  it('keeps AMBER in the organisation when nobody is named', () => {
    const event = buildCaseMispEvent(caseInput({ tlp: 'AMBER', sharedOrganizations: [] }));
    expect(event.Event).toMatchObject({ distribution: '0', sharing_group_id: '0' });
    expect(event.Event.Tag[0].name).toBe('tlp:amber');
  });

  it('describes the case by reference, category and platform, from its times and states', () => {
    const input = caseInput();
    const e = buildCaseMispEvent(input).Event;
    expect(e).toMatchObject({
      info: 'ESC-2026-000123: Doxxing and exposure of private information (Instagram)',
      date: '2026-03-02',
      threat_level_id: '2',
      analysis: '1',
      timestamp: String(Math.floor(Date.parse('2026-03-05T08:30:00.900Z') / 1000)),
      Orgc: { uuid: input.organization.id, name: 'Línea Violeta' },
    });
    expect(buildCaseMispEvent(caseInput({ escalatedAt: null })).Event.date).toBe('2026-03-02');
  });

  it.each([
    ['critical', '1'],
    ['high', '1'],
    ['normal', '2'],
    ['low', '3'],
  ] as const)('gives urgency %s threat level %s', (urgency, level) => {
    expect(buildCaseMispEvent(caseInput({ urgency })).Event.threat_level_id).toBe(level);
  });

  it.each([
    ['draft', '0'],
    ['escalated', '1'],
    ['acknowledged', '1'],
    ['resolved', '2'],
    ['closed', '2'],
  ] as const)('gives status %s analysis %s', (status, analysis) => {
    expect(buildCaseMispEvent(caseInput({ status })).Event.analysis).toBe(analysis);
  });

  it('types every indicator and item with a valid category', () => {
    const attributes = buildCaseMispEvent(caseInput()).Event.Attribute.map(
      ({ type, category, value, to_ids, comment }) => ({ type, category, value, to_ids, comment }),
    );
    expect(attributes).toEqual([
      {
        type: 'text',
        category: 'Social network',
        value: 'attacker_1',
        to_ids: false,
        comment: 'account handle on instagram',
      },
      {
        type: 'domain',
        category: 'Network activity',
        value: 'evil.example',
        to_ids: true,
        comment: 'domain',
      },
      {
        type: 'text',
        category: 'Social network',
        value: '#fueraana',
        to_ids: false,
        comment: 'hashtag',
      },
      {
        type: 'md5',
        category: 'Payload delivery',
        value: 'a'.repeat(32),
        to_ids: true,
        comment: 'image hash',
      },
      {
        type: 'sha256',
        category: 'Payload delivery',
        value: 'c'.repeat(64),
        to_ids: true,
        comment: 'image hash',
      },
      {
        type: 'hex',
        category: 'Other',
        value: 'e'.repeat(16),
        to_ids: false,
        comment: 'image hash (algorithm unknown)',
      },
      {
        type: 'phone-number',
        category: 'Other',
        value: '+59170012345',
        to_ids: false,
        comment: 'phone number',
      },
      {
        type: 'url',
        category: 'Network activity',
        value: 'https://evil.example/x',
        to_ids: true,
        comment: 'URL',
      },
      // The profile item is the URL indicator above: once only. The tracking id is gone.
      {
        type: 'url',
        category: 'Network activity',
        value: 'https://instagram.com/p/abc',
        to_ids: false,
        comment: 'reported post',
      },
    ]);
  });

  it('uses twitter-id for handles on X', () => {
    const input = caseInput({
      platform: { ...caseInput().platform, code: 'x', name: 'X' },
      indicators: [{ kind: 'account_handle', value: 'troll' }],
      items: [],
    });
    expect(buildCaseMispEvent(input).Event.Attribute).toEqual([
      expect.objectContaining({ type: 'twitter-id', category: 'Social network', value: 'troll' }),
    ]);
  });

  it('keeps UUIDs across re-exports and carries no survivor data', () => {
    const input = caseInput();
    const first = buildCaseMispEvent(input);
    const again = buildCaseMispEvent({ ...input, updatedAt: '2026-04-01T00:00:00.000Z' });
    expect(again.Event.uuid).toBe(first.Event.uuid);
    expect(again.Event.Attribute.map((a) => a.uuid)).toEqual(
      first.Event.Attribute.map((a) => a.uuid),
    );
    const json = JSON.stringify(first);
    for (const text of [...SECRETS, 'SHARER', 'igsh', 'bad\\nhandle'])
      expect(json).not.toContain(text);
  });
});

describe('mispInfo', () => {
  it('is one line of at most 256 characters (code points)', () => {
    const info = mispInfo(`a\nb\r\n${'ñ😀'.repeat(300)}`);
    expect(info.startsWith('a b ')).toBe(true);
    expect([...info]).toHaveLength(256);
    expect(info).not.toMatch(/[\r\n]/);
  });
});

describe('buildCampaignMispEvent', () => {
  const campaign = (visibleCases: CaseExportInput[]): CampaignExportInput => ({
    id: randomUUID(),
    firstSeen: '2026-03-01T00:00:00Z',
    lastSeen: '2026-03-20T12:00:00Z',
    cases: 9,
    organizations: 4,
    platforms: ['facebook', 'x'],
    categories: ['doxxing'],
    countries: ['BO', 'MX'],
    visibleCases,
  });

  it('is one org-only AMBER+STRICT event with the visible cases, each attribute tagged with its TLP', () => {
    const green = caseInput({ tlp: 'GREEN', reference: 'ESC-2026-000001', items: [] });
    const red = caseInput({
      tlp: 'RED',
      reference: 'ESC-2026-000002',
      indicators: [{ kind: 'account_handle', value: 'red_only' }],
    });
    const input = campaign([green, red]);
    const event = buildCampaignMispEvent(input);
    expectWellFormed(event);
    const e = event.Event;
    expect(e).toMatchObject({
      distribution: '0',
      sharing_group_id: '0',
      date: '2026-03-01',
      threat_level_id: '4',
      info: 'TFGBV campaign: 9 cases from 4 organisations; platforms: facebook, x; categories: doxxing; countries: BO, MX',
      Tag: [{ name: 'tlp:amber+strict', colour: '#FFC000', exportable: true }],
    });
    expect(e.Attribute[0]).toMatchObject({
      type: 'campaign-id',
      category: 'Attribution',
      value: input.id,
    });
    const caseAttributes = e.Attribute.slice(1);
    expect(caseAttributes.length).toBe(buildCaseMispEvent(green).Event.Attribute.length);
    for (const a of caseAttributes) {
      expect(a.comment.startsWith('ESC-2026-000001: ')).toBe(true);
      expect(a.Tag).toEqual([{ name: 'tlp:green', colour: '#33FF00', exportable: true }]);
    }
    // RED is for named people; this event goes to an organisation.
    const json = JSON.stringify(event);
    expect(json).not.toContain('red_only');
    expect(json).not.toContain('ESC-2026-000002');
    // MISP refuses an attribute UUID another event holds: the case's own event has other ones.
    const own = new Set(buildCaseMispEvent(green).Event.Attribute.map((a) => a.uuid));
    for (const a of caseAttributes) expect(own.has(a.uuid)).toBe(false);
  });

  it('is still a valid event when no case is visible', () => {
    const event = buildCampaignMispEvent(campaign([]));
    expectWellFormed(event);
    expect(event.Event.Attribute).toHaveLength(1);
  });
});
