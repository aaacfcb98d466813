import { randomUUID } from 'node:crypto';
import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';
import { schemaFor, stixProblems } from '../../test/fixtures/stix2-schemas/validator';
import { CampaignExportInput, CaseExportInput } from './case-export';
import { scoId } from './ids';
import { buildCampaignBundle, buildCaseBundle, StixBundle, StixObject, stixString } from './stix';
import { TLP2_EXTENSION_ID, tlpMarkingDefinition, tlpMarkingId } from './tlp-markings';

const HEX = {
  md5: 'a'.repeat(32),
  sha1: 'b'.repeat(40),
  sha256: 'c'.repeat(64),
  sha512: 'd'.repeat(128),
  short: 'e'.repeat(16),
};

/** Survivor data a case holds that must never reach an export. */
const SECRETS = {
  title: 'Ana Quispe doxxed at Calle Sucre 42',
  summary: 'Her address and her daughter’s school were posted',
  contact: 'maria.contact@meta.example',
};

/** A case with every indicator kind, hostile values, and items worth cleaning. */
function caseInput(overrides: Partial<CaseExportInput> = {}): CaseExportInput {
  return {
    id: randomUUID(),
    reference: 'ESC-2026-000123',
    tlp: 'AMBER+STRICT',
    categoryCode: 'doxxing',
    subcategoryCode: 'home_address_location',
    urgency: 'high',
    status: 'escalated',
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-05T08:30:00.123Z',
    escalatedAt: '2026-03-02T10:00:00.000Z',
    organization: {
      id: randomUUID(),
      name: 'Línea "Violeta" \\ Ayuda\nDigital',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-06-01T00:00:00.000Z',
    },
    platform: {
      id: randomUUID(),
      code: 'facebook',
      name: 'Facebook',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    },
    sharedOrganizations: [],
    items: [
      { url: 'https://facebook.com/posts/123?fbclid=SHARER', kind: 'post', capturedAt: null },
      {
        url: "https://user:pw@exämple.com/it's a|b^[x]/100%?q=ñ#tok",
        kind: 'profile',
        capturedAt: '2026-03-01T09:00:00Z',
      },
      {
        url: 'https://facebook.com/posts/123',
        kind: 'comment',
        capturedAt: '2026-03-02T09:00:00Z',
      },
    ],
    indicators: [
      { kind: 'url', value: "https://evil.example/o'brien\\x?a=1" },
      { kind: 'domain', value: 'bücher.example' },
      { kind: 'account_handle', value: 'usuário_ñ' },
      { kind: 'account_handle', value: "o'brien\\" },
      { kind: 'account_handle', value: 'line\nbreak' },
      { kind: 'hashtag', value: 'fueraana' },
      { kind: 'phone', value: '+59170012345' },
      { kind: 'image_hash', value: HEX.md5 },
      { kind: 'image_hash', value: HEX.sha1 },
      { kind: 'image_hash', value: HEX.sha256 },
      { kind: 'image_hash', value: HEX.sha512 },
      { kind: 'image_hash', value: HEX.short },
    ],
    ...overrides,
  };
}

const byType = (b: StixBundle, type: string) => b.objects.filter((o) => o.type === type);
const one = (b: StixBundle, type: string) => {
  const found = byType(b, type);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Every id an object refers to. */
function refsOf(o: StixObject): string[] {
  return [
    ...((o.object_marking_refs as string[]) ?? []),
    ...((o.object_refs as string[]) ?? []),
    ...(['created_by_ref', 'source_ref', 'target_ref'] as const).flatMap((k) =>
      typeof o[k] === 'string' ? [o[k]] : [],
    ),
  ];
}

describe('TLP 2.0 marking definitions', () => {
  const published: Record<Tlp, string> = {
    CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
    GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
    AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
    'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
  };

  it.each(TLP_LEVELS)('%s is the object OASIS published, and it validates', (tlp) => {
    const marking = tlpMarkingDefinition(tlp);
    expect(marking).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: published[tlp],
      created: '2022-10-01T00:00:00.000Z',
      name: `TLP:${tlp}`,
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: tlp.toLowerCase(),
        },
      },
    });
    expect(TLP2_EXTENSION_ID).toBe('extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d');
    const validate = schemaFor('marking-definition')!;
    expect({ valid: validate(marking), errors: validate.errors }).toEqual({
      valid: true,
      errors: null,
    });
  });
});

describe('the schema check itself', () => {
  const valid = buildCaseBundle(caseInput());
  const incident = () => ({ ...one(valid, 'incident') });

  it('passes a good bundle', () => {
    expect(stixProblems(valid)).toEqual([]);
  });

  it('rejects an incident without a name', () => {
    const { name: _name, ...nameless } = incident();
    const problems = stixProblems({ ...valid, objects: [...valid.objects, nameless] });
    expect(problems).toEqual([
      expect.objectContaining({
        where: nameless.id,
        errors: expect.arrayContaining([
          expect.objectContaining({ message: expect.stringContaining('name') }),
        ]),
      }),
    ]);
  });

  it.each([
    ['not a UUID', 'incident--not-a-uuid'],
    ['a UUID of no RFC 4122 version', 'incident--3f0e0d4a-1111-0111-8111-111111111111'],
    ['the wrong type prefix', 'indicator--3f0e0d4a-1111-4111-8111-111111111111'],
  ])('rejects an incident whose id has %s', (_what, id) => {
    const problems = stixProblems({ ...valid, objects: [{ ...incident(), id }] });
    expect(problems.map((p) => p.where)).toContain(id);
  });

  it('rejects timestamps without milliseconds, a bad marking ref, a bad envelope and unknown types', () => {
    const broken = [
      { ...incident(), created: '2026-03-02T10:00:00Z' },
      { ...incident(), object_marking_refs: ['tlp:amber'] },
      { type: 'x-unknown', id: 'x-unknown--3f0e0d4a-1111-4111-8111-111111111111' },
    ];
    expect(stixProblems({ ...valid, objects: broken })).toHaveLength(3);
    expect(stixProblems({ ...valid, id: 'bundle--nope' }).map((p) => p.where)).toEqual(['bundle']);
  });

  it('rejects an SCO whose value breaks its format', () => {
    const url = { ...byType(valid, 'url')[0], value: 'https://x.example/a b' };
    const domain = { ...one(valid, 'domain-name'), value: "evil'.example" };
    expect(stixProblems({ ...valid, objects: [url, domain] }).map((p) => p.where)).toEqual([
      'bundle',
      url.id,
      domain.id,
    ]);
  });
});

describe('buildCaseBundle', () => {
  describe.each(TLP_LEVELS)('a %s case', (tlp) => {
    const input = caseInput({ tlp });
    const bundle = buildCaseBundle(input);
    const json = JSON.stringify(bundle);

    it('validates: the envelope, and every object against its own type', () => {
      expect(bundle.type).toBe('bundle');
      expect(bundle.id).toMatch(/^bundle--[0-9a-f-]{36}$/);
      expect(stixProblems(bundle)).toEqual([]);
      // The check covered every kind of object a case gives.
      expect(new Set(bundle.objects.map((o) => o.type))).toEqual(
        new Set([
          'marking-definition',
          'identity',
          'incident',
          'observed-data',
          'url',
          'domain-name',
          'user-account',
          'file',
          'indicator',
          'relationship',
        ]),
      );
    });

    it(`marks every object ${tlp} and carries that one marking definition`, () => {
      expect(byType(bundle, 'marking-definition')).toEqual([tlpMarkingDefinition(tlp)]);
      for (const o of bundle.objects.filter((x) => x.type !== 'marking-definition')) {
        expect({ id: o.id, refs: o.object_marking_refs }).toEqual({
          id: o.id,
          refs: [tlpMarkingId(tlp)],
        });
      }
    });

    it('refers only to objects in the bundle, each id once', () => {
      const ids = bundle.objects.map((o) => o.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const ref of bundle.objects.flatMap(refsOf)) expect(ids).toContain(ref);
    });

    it('names the incident by reference and English category label only', () => {
      const incident = one(bundle, 'incident');
      expect(incident).toMatchObject({
        name: 'ESC-2026-000123: Doxxing and exposure of private information',
        labels: ['doxxing', 'home_address_location'],
        created: '2026-03-02T10:00:00.000Z',
        modified: '2026-03-05T08:30:00.123Z',
      });
      expect(incident).not.toHaveProperty('description');
    });

    it('carries no survivor data, phones, hashtags, credentials, fragments or click ids', () => {
      for (const text of [
        ...Object.values(SECRETS),
        '+59170012345',
        'fueraana',
        'SHARER',
        'fbclid',
        'user:pw',
        '#tok',
        'line\\nbreak',
        "o'brien\\\\",
      ]) {
        expect(json).not.toContain(text);
      }
    });
  });

  it('gives the helpline and the platform as organisation identities', () => {
    const input = caseInput();
    const identities = byType(buildCaseBundle(input), 'identity');
    expect(identities.map((i) => [i.name, i.identity_class])).toEqual([
      [input.organization.name, 'organization'],
      ['Facebook', 'organization'],
    ]);
    const incident = one(buildCaseBundle(input), 'incident');
    expect(incident.created_by_ref).toBe(identities[0].id);
  });

  it('turns URLs, domains, handles and image hashes of known algorithm into SCOs with STIX ids', () => {
    const bundle = buildCaseBundle(caseInput());
    const values = (type: string, key: string) => byType(bundle, type).map((o) => o[key]);
    expect(values('url', 'value').sort()).toEqual(
      [
        "https://evil.example/o'brien/x?a=1",
        'https://facebook.com/posts/123',
        "https://xn--exmple-cua.com/it's%20a%7Cb%5E%5Bx%5D/100%25?q=%C3%B1",
      ].sort(),
    );
    expect(values('domain-name', 'value')).toEqual(['xn--bcher-kva.example']);
    expect(
      byType(bundle, 'user-account').map(({ account_login, account_type }) => ({
        account_login,
        account_type,
      })),
    ).toEqual([{ account_login: 'usuário_ñ', account_type: 'facebook' }]);
    expect(values('file', 'hashes')).toEqual([
      { MD5: HEX.md5 },
      { 'SHA-1': HEX.sha1 },
      { 'SHA-256': HEX.sha256 },
      { 'SHA-512': HEX.sha512 },
    ]);
    // Deterministic ids (STIX 2.1 §2.9), checked against Python's uuid.uuid5 over the same JCS text.
    expect(one({ ...bundle, objects: byType(bundle, 'user-account') }, 'user-account').id).toBe(
      'user-account--934a9ac9-d20d-5b9f-92fd-9ce8c06b6f44',
    );
    expect(byType(bundle, 'file').find((f) => 'SHA-256' in (f.hashes as object))?.id).toBe(
      'file--00f00536-b52a-550f-80ea-d38e505b5ca5',
    );
    expect(
      byType(bundle, 'url').find((u) => u.value === 'https://facebook.com/posts/123')?.id,
    ).toBe('url--f7c9556c-f4c3-5482-bd5a-de80645e4bb3');
    const observed = one(bundle, 'observed-data');
    expect(observed).toMatchObject({
      first_observed: '2026-03-01T09:00:00.000Z',
      last_observed: '2026-03-02T09:00:00.000Z',
      number_observed: 1,
    });
    const scos = bundle.objects.filter((o) =>
      ['url', 'domain-name', 'user-account', 'file'].includes(o.type),
    );
    expect(new Set(observed.object_refs as string[])).toEqual(new Set(scos.map((o) => o.id)));
  });

  it('writes one indicator per expressible indicator, with escaped patterns', () => {
    const bundle = buildCaseBundle(caseInput());
    const patterns = byType(bundle, 'indicator').map((i) => {
      expect(i).toMatchObject({
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: '2026-03-02T10:00:00.000Z',
      });
      return i.pattern;
    });
    expect(patterns.sort()).toEqual(
      [
        "[url:value = 'https://evil.example/o\\'brien/x?a=1']",
        "[domain-name:value = 'xn--bcher-kva.example']",
        "[user-account:account_login = 'usuário_ñ' AND user-account:account_type = 'facebook']",
        `[file:hashes.'MD5' = '${HEX.md5}']`,
        `[file:hashes.'SHA-1' = '${HEX.sha1}']`,
        `[file:hashes.'SHA-256' = '${HEX.sha256}']`,
        `[file:hashes.'SHA-512' = '${HEX.sha512}']`,
      ].sort(),
    );
    // Every literal in every pattern is well formed: it reads back to the SCO value.
    const literal = /'((?:[^'\\]|\\['\\])*)'/g;
    for (const pattern of patterns as string[]) {
      const rest = pattern.replace(literal, '');
      expect(rest).not.toMatch(/['\\]/);
    }
  });

  it('ties indicators and observed data to the incident', () => {
    const bundle = buildCaseBundle(caseInput());
    const incident = one(bundle, 'incident').id;
    const observed = one(bundle, 'observed-data').id;
    const platform = byType(bundle, 'identity')[1].id;
    const rels = byType(bundle, 'relationship').map((r) => [
      r.relationship_type,
      r.source_ref,
      r.target_ref,
    ]);
    const indicators = byType(bundle, 'indicator').map((i) => i.id);
    expect(rels).toEqual(
      expect.arrayContaining([
        ['related-to', incident, platform],
        ['related-to', incident, observed],
        ...indicators.map((i) => ['related-to', incident, i]),
        ...indicators.map((i) => ['based-on', i, observed]),
      ]),
    );
    expect(rels).toHaveLength(2 + 2 * indicators.length);
  });

  it('keeps object ids across re-exports, with a new bundle id', () => {
    const input = caseInput();
    const first = buildCaseBundle(input);
    const second = buildCaseBundle({ ...input, updatedAt: '2026-04-01T00:00:00.000Z' });
    expect(second.objects.map((o) => o.id)).toEqual(first.objects.map((o) => o.id));
    expect(second.id).not.toBe(first.id);
    expect(one(second, 'incident').modified).toBe('2026-04-01T00:00:00.000Z');
    // Another case: other SDO ids, same SCO ids for the same values.
    const other = buildCaseBundle({ ...input, id: randomUUID() });
    expect(one(other, 'incident').id).not.toBe(one(first, 'incident').id);
    expect(byType(other, 'url').map((o) => o.id)).toEqual(byType(first, 'url').map((o) => o.id));
  });

  it('uses account types only from the STIX vocabulary (X is twitter)', () => {
    const account = (code: string) =>
      one(
        buildCaseBundle(
          caseInput({
            platform: { ...caseInput().platform, code },
            indicators: [{ kind: 'account_handle', value: 'a_b' }],
          }),
        ),
        'user-account',
      );
    expect(account('x')).toMatchObject({ account_login: 'a_b', account_type: 'twitter' });
    expect(account('instagram')).not.toHaveProperty('account_type');
    expect(account('instagram').id).toBe(scoId('user-account', { account_login: 'a_b' }));
  });

  it('still validates a case with nothing observable (no observed-data, no indicators)', () => {
    const bundle = buildCaseBundle(
      caseInput({ items: [], indicators: [{ kind: 'phone', value: '+59170012345' }] }),
    );
    expect(stixProblems(bundle)).toEqual([]);
    expect(bundle.objects.map((o) => o.type)).toEqual([
      'marking-definition',
      'identity',
      'identity',
      'incident',
      'relationship',
    ]);
  });
});

describe('stixString', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ['línea\nnueva ✓', "'línea\nnueva ✓'"],
  ])('quotes %j', (value, expected) => {
    expect(stixString(value)).toBe(expected);
  });
});

describe('buildCampaignBundle', () => {
  const org = caseInput().organization;
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
  const shared = 'https://facebook.com/shared-attacker';
  const green = caseInput({
    tlp: 'GREEN',
    organization: org,
    indicators: [{ kind: 'url', value: shared }],
  });
  const strict = caseInput({
    tlp: 'AMBER+STRICT',
    reference: 'ESC-2026-000200',
    organization: org,
    indicators: [{ kind: 'url', value: shared }],
  });
  const red = caseInput({
    tlp: 'RED',
    reference: 'ESC-2026-000300',
    indicators: [{ kind: 'account_handle', value: 'red_only_handle' }],
  });

  it('groups the visible cases (suspicious-activity, TLP:AMBER+STRICT) and validates', () => {
    const input = campaign([green, strict]);
    const bundle = buildCampaignBundle(input);
    expect(stixProblems(bundle)).toEqual([]);
    const grouping = one(bundle, 'grouping');
    expect(grouping).toMatchObject({
      context: 'suspicious-activity',
      object_marking_refs: [tlpMarkingId('AMBER+STRICT')],
      created: '2026-03-01T00:00:00.000Z',
    });
    const caseObjectIds = bundle.objects
      .filter((o) => o.type !== 'marking-definition' && o.id !== grouping.id)
      .filter((o) => !(o.type === 'identity' && o.identity_class === 'system'))
      .map((o) => o.id);
    expect(new Set(grouping.object_refs as string[])).toEqual(new Set(caseObjectIds));
    expect(byType(bundle, 'incident')).toHaveLength(2);
    const ids = bundle.objects.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of bundle.objects.flatMap(refsOf)) expect(ids).toContain(ref);
  });

  it('marks an observable two cases share with the stricter of their TLPs', () => {
    const bundle = buildCampaignBundle(campaign([green, strict]));
    const url = byType(bundle, 'url').find((u) => u.value === shared)!;
    expect(url.object_marking_refs).toEqual([tlpMarkingId('AMBER+STRICT')]);
    expect(byType(bundle, 'identity').filter((i) => i.name === org.name)).toEqual([
      expect.objectContaining({ object_marking_refs: [tlpMarkingId('AMBER+STRICT')] }),
    ]);
    const markings = byType(bundle, 'marking-definition')
      .map((m) => m.name)
      .sort();
    expect(markings).toEqual(['TLP:AMBER+STRICT', 'TLP:GREEN']);
  });

  it('leaves RED cases out, even when listed as visible', () => {
    const bundle = buildCampaignBundle(campaign([green, red]));
    const json = JSON.stringify(bundle);
    expect(json).not.toContain('red_only_handle');
    expect(json).not.toContain('ESC-2026-000300');
    expect(json).not.toContain(tlpMarkingId('RED'));
    expect(stixProblems(bundle)).toEqual([]);
  });

  it('refers to its author when no case is visible, and says only what the campaign answer says', () => {
    const input = campaign([]);
    const bundle = buildCampaignBundle(input);
    expect(stixProblems(bundle)).toEqual([]);
    const grouping = one(bundle, 'grouping');
    const author = one(bundle, 'identity');
    expect(author).toMatchObject({ identity_class: 'system', name: 'Escalation Tracker' });
    expect(grouping.object_refs).toEqual([author.id]);
    expect(grouping.created_by_ref).toBe(author.id);
    expect(grouping.description).toBe(
      'Cases linked by shared indicators: 9 from 4 organisation(s), 0 of them in this bundle. ' +
        'Platforms: facebook, x. Categories: doxxing. Countries: BO, MX. ' +
        'First seen 2026-03-01T00:00:00.000Z, last seen 2026-03-20T12:00:00.000Z.',
    );
    expect(bundle.objects.map((o) => o.type).sort()).toEqual([
      'grouping',
      'identity',
      'marking-definition',
    ]);
  });
});
