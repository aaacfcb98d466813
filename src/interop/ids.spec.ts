import { canonicalJson, exportId, exportUuid, scoId, uuidv5 } from './ids';

describe('uuidv5', () => {
  it('matches RFC 9562 / Python uuid.uuid5', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org'), the classic example.
    expect(uuidv5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidv5('not-a-uuid', 'x')).toThrow('uuidv5 needs a UUID namespace');
  });
});

describe('canonicalJson (RFC 8785 for our values)', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: '2', a: { d: 'x', c: ['é', 1, true, null] } })).toBe(
      '{"a":{"c":["é",1,true,null],"d":"x"},"b":"2"}',
    );
  });

  it('escapes what JSON must and keeps the rest as is', () => {
    expect(canonicalJson({ v: 'quote" back\\ nl\n ñ' })).toBe('{"v":"quote\\" back\\\\ nl\\n ñ"}');
  });
});

describe('scoId', () => {
  // Vectors computed with Python: uuid.uuid5(NS, json.dumps(p, sort_keys=True,
  // separators=(',', ':'), ensure_ascii=False)), which is what the stix2 library does.
  it.each([
    ['url', { value: 'https://example.com/a' }, 'url--6ccd10ff-4c3f-5062-a19f-b6bd987c6637'],
    ['domain-name', { value: 'example.org' }, 'domain-name--3500c14b-9bde-5393-b4e5-b260aea7e058'],
    [
      'user-account',
      { account_type: 'facebook', account_login: 'usuário_ñ' },
      'user-account--934a9ac9-d20d-5b9f-92fd-9ce8c06b6f44',
    ],
  ])('gives %s the id every STIX producer gives it', (type, properties, id) => {
    expect(scoId(type, properties)).toBe(id);
  });
});

describe('exportId and exportUuid', () => {
  it('are stable, version 5, and differ by type for the same key', () => {
    const caseId = '3f0e0d4a-1111-4111-8111-111111111111';
    expect(exportId('incident', caseId)).toBe(exportId('incident', caseId));
    expect(exportId('incident', caseId)).toMatch(
      /^incident--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const uuidOf = (id: string) => id.split('--')[1];
    expect(uuidOf(exportId('incident', caseId))).not.toBe(
      uuidOf(exportId('observed-data', caseId)),
    );
    expect(exportUuid('misp-event', 'case', caseId)).not.toBe(
      exportUuid('misp-event', 'campaign', caseId),
    );
    // Parts are separated, so ("ab", "c") and ("a", "bc") do not collide.
    expect(exportId('indicator', 'ab', 'c')).not.toBe(exportId('indicator', 'a', 'bc'));
  });
});
