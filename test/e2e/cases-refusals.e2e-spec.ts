import { randomUUID } from 'node:crypto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { caseBody, createCase } from '../factories/case.factory';
import { createCommunity } from '../factories/community.factory';
import { countRows } from '../support/checks';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The error paths of the cases endpoints, through HTTP. Every refusal is a problem+json with the
 * right status (400s name the field) and writes nothing: no case, event, item, indicator,
 * idempotency key or write audit, and a refused change leaves the case row as it was.
 */

type Body = Record<string, unknown>;

const TABLES = ['cases', 'case_events', 'case_items', 'case_indicators', 'idempotency_keys'];
const WRITE_AUDITS = `SELECT count(*)::int AS n FROM audit_entries
  WHERE action IN ('case.created', 'case.updated', 'case.event_added')`;

/** A forged cursor: valid base64url JSON, as the server makes them, with values of our choice. */
const forgeCursor = (values: unknown[]) =>
  Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

const QUALITY = {
  reasonGiven: 'yes',
  contextUnderstood: 'no',
  harmRecognisedAsGendered: 'unknown',
  retraumatisingProofRequested: 'no',
};

/** caseBody() without the named field (not sent at all). */
const without = (field: string): Body => {
  const body = caseBody();
  delete body[field];
  return body;
};

describe('cases: refusals (e2e)', () => {
  let t: TestApp;
  let community: Awaited<ReturnType<typeof createCommunity>>;
  /** A facebook contact of organisation B under AMBER+STRICT: invisible to organisation A. */
  let hiddenContactId: string;
  /** A contact of organisation A, but for instagram. */
  let instagramContactId: string;

  beforeAll(async () => {
    t = await createTestApp();
    community = await createCommunity(t.app);
    const hidden = await call<{ id: string }>(t.app, 'POST', '/v1/contacts', {
      token: community.inB.member.token,
      body: { platformCode: 'facebook', fullName: 'X', tlp: 'AMBER+STRICT' },
    });
    const instagram = await call<{ id: string }>(t.app, 'POST', '/v1/contacts', {
      token: community.inA.member.token,
      body: { platformCode: 'instagram', fullName: 'Insta Contact' },
    });
    expect([hidden.status, instagram.status]).toEqual([201, 201]);
    hiddenContactId = hidden.body.id;
    instagramContactId = instagram.body.id;
  });
  afterAll(() => t.close());

  const member = () => community.inA.member;

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      result[table] = await countRows(t.db, `SELECT count(*)::int AS n FROM ${table}`);
    }
    result.writeAudits = await countRows(t.db, WRITE_AUDITS);
    return result;
  }

  async function caseRow(id: string): Promise<Body> {
    const rows = (await t.db.query('SELECT * FROM cases WHERE id = $1', [id])) as Body[];
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  /**
   * Sends a request that must be refused with `status` (400: naming exactly `fields`), and checks
   * it changed no row count and, with `caseId`, not one column of that case.
   */
  async function expectRefused(
    send: () => Promise<Answer<unknown>>,
    status: number,
    fields?: string[],
    caseId?: string,
  ): Promise<Answer> {
    const before = await counts();
    const rowBefore = caseId ? await caseRow(caseId) : undefined;
    const answer = (await send()) as Answer;
    if (status === 400) {
      expect({ fields: fieldsOf(answer) }).toEqual({ fields: [...(fields ?? [])].sort() });
    } else {
      expectProblem(answer, status);
    }
    expect(await counts()).toEqual(before);
    if (caseId) expect(await caseRow(caseId)).toEqual(rowBefore);
    return answer;
  }

  const postCase = (
    body: unknown,
    options: { token?: string; headers?: Record<string, string> } = {},
  ) =>
    call(t.app, 'POST', '/v1/cases', {
      token: 'token' in options ? options.token : member().token,
      body,
      headers: options.headers,
    });
  const postEvent = (id: string, body: Body, token = member().token) =>
    call(t.app, 'POST', `/v1/cases/${id}/events`, { token, body });
  const patchCase = (
    id: string,
    body: Body,
    headers: Record<string, string>,
    token = member().token,
  ) => call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${id}`, { token, body, headers });
  const listCases = (query: Record<string, string>) =>
    call(t.app, 'GET', '/v1/cases', { token: member().token, query });

  /** A 404 problem without its request id, to compare two of them. */
  const notFoundBody = (answer: Answer) => {
    const { requestId: _requestId, ...rest } = expectProblem(answer, 404);
    return rest;
  };

  describe('POST /v1/cases', () => {
    it.each(['platformCode', 'channelCode', 'title', 'summary', 'categoryCode', 'country'])(
      'missing %s -> 400 naming it',
      async (field) => {
        await expectRefused(() => postCase(without(field)), 400, [field]);
      },
    );

    it.each<[string, () => Body, string[]]>([
      // unknown fields
      ['an unknown top-level field', () => caseBody({ priority: 'high' }), ['priority']],
      [
        'an unknown field inside items[]',
        () => caseBody({ items: [{ url: 'https://facebook.com/posts/1', kind: 'post', x: 1 }] }),
        ['items.0.x'],
      ],
      [
        'an unknown field inside indicators[]',
        () => caseBody({ indicators: [{ kind: 'hashtag', value: '#a', weight: 2 }] }),
        ['indicators.0.weight'],
      ],
      // wrong types
      ['title a number', () => caseBody({ title: 42 }), ['title']],
      ['targetGroups a string', () => caseBody({ targetGroups: 'women' }), ['targetGroups']],
      [
        'items an object',
        () => caseBody({ items: { url: 'https://facebook.com/posts/1', kind: 'post' } }),
        ['items'],
      ],
      [
        'consentToSharePattern "yes"',
        () => caseBody({ consentToSharePattern: 'yes' }),
        ['consentToSharePattern'],
      ],
      ['escalatedAt a number', () => caseBody({ escalatedAt: 12345 }), ['escalatedAt']],
      ['tlp null', () => caseBody({ tlp: null }), ['tlp']],
      // references that do not exist or do not fit
      ['an unknown platform', () => caseBody({ platformCode: 'myspace' }), ['platformCode']],
      [
        'a channel of another platform',
        () => caseBody({ platformCode: 'tiktok', channelCode: 'trusted_partner' }),
        ['channelCode'],
      ],
      ['an unknown category', () => caseBody({ categoryCode: 'gossip' }), ['categoryCode']],
      [
        'a subcategory of another category',
        () => caseBody({ categoryCode: 'doxxing', subcategoryCode: 'fake_profile' }),
        ['subcategoryCode'],
      ],
      [
        'an unknown target group',
        () => caseBody({ targetGroups: ['women', 'aliens'] }),
        ['targetGroups'],
      ],
      ['a lowercase country', () => caseBody({ country: 'bo' }), ['country']],
      ['an unassigned country', () => caseBody({ country: 'XX' }), ['country']],
      // sharing
      [
        'TLP AMBER naming no organisation',
        () => caseBody({ tlp: 'AMBER' }),
        ['shareWithOrganizationIds'],
      ],
      [
        'shareWithOrganizationIds on AMBER+STRICT',
        () => caseBody({ tlp: 'AMBER+STRICT', shareWithOrganizationIds: [community.b.id] }),
        ['shareWithOrganizationIds'],
      ],
      [
        'shareWithUserIds on a GREEN case',
        () => caseBody({ tlp: 'GREEN', shareWithUserIds: [community.inA.orgAdmin.id] }),
        ['shareWithUserIds'],
      ],
      [
        'shareWithUserIds naming a user that does not exist',
        () => caseBody({ tlp: 'RED', shareWithUserIds: [randomUUID()] }),
        ['shareWithUserIds'],
      ],
      [
        'shareWithOrganizationIds naming an organisation that does not exist',
        () => caseBody({ tlp: 'AMBER', shareWithOrganizationIds: [randomUUID()] }),
        ['shareWithOrganizationIds'],
      ],
      [
        'shareWithUserIds that are not UUIDs',
        () => caseBody({ tlp: 'RED', shareWithUserIds: ["1' OR '1'='1"] }),
        ['shareWithUserIds'],
      ],
      // times
      [
        'escalatedAt in the future',
        () => caseBody({ escalatedAt: '2099-01-01T00:00:00Z' }),
        ['escalatedAt'],
      ],
      [
        'escalatedAt an impossible date',
        () => caseBody({ escalatedAt: '2026-02-30T10:00:00Z' }),
        ['escalatedAt'],
      ],
      [
        'escalatedAt with an impossible zone offset (+24:00)',
        () => caseBody({ escalatedAt: '2026-03-02T10:00:00+24:00' }),
        ['escalatedAt'],
      ],
      [
        'an item capturedAt in the future',
        () =>
          caseBody({
            items: [
              {
                url: 'https://facebook.com/posts/1',
                kind: 'post',
                capturedAt: '2099-01-01T00:00:00Z',
              },
            ],
          }),
        ['items.0.capturedAt'],
      ],
      [
        'an item capturedAt with an impossible zone offset (+24:00)',
        () =>
          caseBody({
            items: [
              {
                url: 'https://facebook.com/posts/1',
                kind: 'post',
                capturedAt: '2026-03-01T10:00:00+24:00',
              },
            ],
          }),
        ['items.0.capturedAt'],
      ],
      // sizes and characters
      [
        'a summary of 20,001 characters',
        () => caseBody({ summary: 's'.repeat(20_001) }),
        ['summary'],
      ],
      ['a title of 301 characters', () => caseBody({ title: 't'.repeat(301) }), ['title']],
      ['a title with a NUL character', () => caseBody({ title: 'before\u0000after' }), ['title']],
      [
        '101 items',
        () =>
          caseBody({
            items: Array.from({ length: 101 }, (_, i) => ({
              url: `https://facebook.com/posts/${i}`,
              kind: 'post',
            })),
          }),
        ['items'],
      ],
      // contacts
      [
        'the contact of another organisation under AMBER+STRICT',
        () => caseBody({ contactId: hiddenContactId }),
        ['contactId'],
      ],
      [
        'a contact of another platform',
        () => caseBody({ contactId: instagramContactId }),
        ['contactId'],
      ],
      [
        'a contactId that does not exist',
        () => caseBody({ contactId: randomUUID() }),
        ['contactId'],
      ],
    ])('%s -> 400 naming the field', async (_label, body, fields) => {
      await expectRefused(() => postCase(body()), 400, fields);
    });

    it('the one-letter platform code x (X, formerly Twitter) is not refused', async () => {
      // platforms.json seeds `x`: a case must be able to name it (regression: codes once needed
      // two characters).
      const platform = await call(t.app, 'GET', '/v1/platforms/x', { token: member().token });
      expect(platform.status).toBe(200);
      const created = await postCase(caseBody({ platformCode: 'x', channelCode: 'in_app_report' }));
      expect({
        status: created.status,
        platformCode: created.body.platformCode,
        errors: created.body.errors,
      }).toEqual({ status: 201, platformCode: 'x', errors: undefined });
      const listed = await listCases({ platform: 'x' });
      expect({ status: listed.status, errors: listed.body.errors }).toEqual({
        status: 200,
        errors: undefined,
      });
    });

    it.each<[string, string]>([
      ['javascript:', 'javascript:alert(1)'],
      ['ftp:', 'ftp://x'],
      ['relative', '/a'],
      ['not a URL', 'not a url'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['http without host', 'http://'],
    ])('an item URL that is %s (%s) -> 400 items.0.url', async (_label, url) => {
      const answer = await expectRefused(
        () => postCase(caseBody({ items: [{ url, kind: 'post' }] })),
        400,
        ['items.0.url'],
      );
      // Validation messages never repeat the value.
      expect(answer.text).not.toContain(url);
    });

    it('an item URL with a NUL character -> 400 items.0.url (never a database error)', async () => {
      // The WHATWG parser accepts it (it percent-encodes or strips the NUL), PostgreSQL does not.
      await expectRefused(
        () =>
          postCase(
            caseBody({ items: [{ url: 'https://facebook.com/posts/1\u0000', kind: 'post' }] }),
          ),
        400,
        ['items.0.url'],
      );
    });

    it.each([
      ['too short', 'abc123'],
      ['64 characters, not hex', 'g'.repeat(64)],
      ['65 hex characters', 'a'.repeat(65)],
    ])('contentSha256 %s -> 400 items.0.contentSha256', async (_label, contentSha256) => {
      await expectRefused(
        () =>
          postCase(
            caseBody({
              items: [{ url: 'https://facebook.com/posts/1', kind: 'post', contentSha256 }],
            }),
          ),
        400,
        ['items.0.contentSha256'],
      );
    });

    it('a summary of exactly 20,000 characters is accepted and kept whole', async () => {
      const summary = 's'.repeat(20_000);
      const created = await createCase(t.app, member().token, { summary });
      expect(created.summary).toHaveLength(20_000);
      const [row] = await t.db.query('SELECT length(summary)::int AS n FROM cases WHERE id = $1', [
        created.id,
      ]);
      expect(row).toEqual({ n: 20_000 });
    });

    it('a viewer cannot log a case (403)', async () => {
      await expectRefused(() => postCase(caseBody(), { token: community.inA.viewer.token }), 403);
    });

    it('without a token -> 401', async () => {
      const answer = await expectRefused(() => postCase(caseBody(), { token: undefined }), 401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    });

    it.each([
      ['a JSON array', '[]'],
      ['a JSON array of a case', JSON.stringify([caseBody()])],
      ['a JSON string', '"a case"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
    ])('a body that is %s -> 400', async (_label, raw) => {
      await expectRefused(
        () =>
          call(t.app, 'POST', '/v1/cases', {
            token: member().token,
            raw,
            headers: { 'content-type': 'application/json' },
          }),
        400,
        ['(body)'],
      );
    });

    it('a body with __proto__ -> 400 (prototype poisoning refused)', async () => {
      const raw = JSON.stringify(caseBody()).replace(/^\{/, '{"__proto__":{"role":"admin"},');
      await expectRefused(
        () =>
          call(t.app, 'POST', '/v1/cases', {
            token: member().token,
            raw,
            headers: { 'content-type': 'application/json' },
          }),
        400,
      );
    });

    it('malformed JSON -> 400 that does not quote the body', async () => {
      const answer = await expectRefused(
        () =>
          call(t.app, 'POST', '/v1/cases', {
            token: member().token,
            raw: '{"title": "survivor-name-in-body',
            headers: { 'content-type': 'application/json' },
          }),
        400,
      );
      expect(answer.text).not.toContain('survivor-name-in-body');
    });

    it('a body over 1 MiB -> 413', async () => {
      await expectRefused(() => postCase(caseBody({ summary: 'x'.repeat(1024 * 1024 + 1) })), 413);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'text/csv'])(
      'content-type %s -> 415',
      async (type) => {
        await expectRefused(
          () =>
            call(t.app, 'POST', '/v1/cases', {
              token: member().token,
              raw: JSON.stringify(caseBody()),
              headers: { 'content-type': type },
            }),
          415,
        );
      },
    );

    it.each([
      ['with a space', 'my key'],
      ['of 201 characters', 'k'.repeat(201)],
      ['with a non-ASCII character', 'clé-1'],
    ])('an Idempotency-Key %s -> 400 naming the header', async (_label, key) => {
      await expectRefused(
        () => postCase(caseBody(), { headers: { 'idempotency-key': key } }),
        400,
        ['Idempotency-Key'],
      );
    });

    it('an Idempotency-Key of exactly 200 printable characters is accepted', async () => {
      const key = `${Date.now()}`.padEnd(200, '~');
      const answer = await postCase(caseBody(), { headers: { 'idempotency-key': key } });
      expect(answer.status).toBe(201);
    });

    it('a refused body under an Idempotency-Key does not burn the key', async () => {
      const key = `refused-then-ok-${Date.now()}`;
      await expectRefused(
        () => postCase(caseBody({ country: 'XX' }), { headers: { 'idempotency-key': key } }),
        400,
        ['country'],
      );
      const retry = await postCase(caseBody(), { headers: { 'idempotency-key': key } });
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    });

    it('hostile text is stored verbatim and harmless', async () => {
      const word = `hostile${Date.now()}`;
      const title = `<script>alert("x")</script> '; DROP TABLE cases; -- ${word}`;
      const summary = `Robert'); DROP TABLE case_events;-- <img src=x onerror=alert(1)> \\ " $1 %s`;
      const before = await countRows(t.db, 'SELECT count(*)::int AS n FROM cases');
      const created = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body: caseBody({ title, summary, platformReference: `'); --` }),
      });
      expect(created.status).toBe(201);
      expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
      expect({ title: created.body.title, summary: created.body.summary }).toEqual({
        title,
        summary,
      });
      const read = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${created.body.id}`, {
        token: member().token,
      });
      expect(read.status).toBe(200);
      expect({
        title: read.body.title,
        summary: read.body.summary,
        platformReference: read.body.platformReference,
      }).toEqual({ title, summary, platformReference: `'); --` });
      // Searching still works around it (by a plain word: PostgreSQL's parser drops HTML tags).
      const found = await listCases({ q: word });
      expect(found.status).toBe(200);
      expect((found.body.data as { id: string }[]).map((c) => c.id)).toEqual([created.body.id]);
      const [tables] = await t.db.query(
        `SELECT to_regclass('public.cases') IS NOT NULL AS cases,
                to_regclass('public.case_events') IS NOT NULL AS events`,
      );
      expect(tables).toEqual({ cases: true, events: true });
      expect(await countRows(t.db, 'SELECT count(*)::int AS n FROM cases')).toBe(before + 1);
    });
  });

  describe('GET /v1/cases', () => {
    const ID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
    it.each<[string, () => Record<string, string>, string[]]>([
      ['limit 0', () => ({ limit: '0' }), ['limit']],
      ['limit 201', () => ({ limit: '201' }), ['limit']],
      ['limit "abc"', () => ({ limit: 'abc' }), ['limit']],
      ['limit 1.5', () => ({ limit: '1.5' }), ['limit']],
      ['a garbage cursor', () => ({ cursor: 'garbage!' }), ['cursor']],
      ['a cursor of 501 characters', () => ({ cursor: 'a'.repeat(501) }), ['cursor']],
      [
        'a forged cursor with a non-timestamp',
        () => ({ cursor: forgeCursor(['yesterday', ID]) }),
        ['cursor'],
      ],
      [
        'a forged cursor with SQL in the id',
        () => ({ cursor: forgeCursor(['2026-03-02T10:00:00.000Z', "1' OR '1'='1"]) }),
        ['cursor'],
      ],
      [
        'a forged cursor with an impossible zone offset',
        () => ({ cursor: forgeCursor(['2026-03-02T10:00:00+99:99', ID]) }),
        ['cursor'],
      ],
      ['an unknown status', () => ({ status: 'lost' }), ['status']],
      ['an unknown urgency', () => ({ urgency: 'extreme' }), ['urgency']],
      ['an unknown category', () => ({ category: 'gossip' }), ['category']],
      ['an unknown country', () => ({ country: 'XX' }), ['country']],
      ['a lowercase country', () => ({ country: 'bo' }), ['country']],
      ['an unknown platform', () => ({ platform: 'myspace' }), ['platform']],
      ['overdue=maybe', () => ({ overdue: 'maybe' }), ['overdue']],
      ['needsContact=1', () => ({ needsContact: '1' }), ['needsContact']],
      [
        'from after to',
        () => ({ from: '2026-03-05T00:00:00Z', to: '2026-03-01T00:00:00Z' }),
        ['from'],
      ],
      ['from not a timestamp', () => ({ from: 'yesterday' }), ['from']],
      [
        'from with an impossible zone offset (+24:00)',
        () => ({ from: '2026-03-01T00:00:00+24:00' }),
        ['from'],
      ],
      ['q of 201 characters', () => ({ q: 'q'.repeat(201) }), ['q']],
      ['an unknown query parameter', () => ({ colour: 'red' }), ['colour']],
    ])('%s -> 400 naming the parameter', async (_label, query, fields) => {
      await expectRefused(() => listCases(query()), 400, fields);
    });

    it('count refuses the same filters and any paging parameter', async () => {
      const count = (query: Record<string, string>) =>
        call(t.app, 'GET', '/v1/cases/count', { token: member().token, query });
      expect(fieldsOf(await count({ status: 'lost' }))).toEqual(['status']);
      expect(fieldsOf(await count({ limit: '10' }))).toEqual(['limit']);
    });

    it('without a token -> 401', async () => {
      await expectRefused(() => call(t.app, 'GET', '/v1/cases'), 401);
    });
  });

  describe('GET /v1/cases/:id', () => {
    it.each(['not-a-uuid', '123', "1' OR '1'='1"])('%s -> 400 naming id', async (id) => {
      await expectRefused(
        () => call(t.app, 'GET', `/v1/cases/${encodeURIComponent(id)}`, { token: member().token }),
        400,
        ['id'],
      );
    });

    it('a random uuid -> 404, the same answer as a case of another organisation', async () => {
      const hidden = await createCase(t.app, community.inB.member.token);
      const missing = await call(t.app, 'GET', `/v1/cases/${randomUUID()}`, {
        token: member().token,
      });
      const other = await call(t.app, 'GET', `/v1/cases/${hidden.id}`, { token: member().token });
      expect(notFoundBody(other)).toEqual(notFoundBody(missing));
      expect(other.text).not.toContain(hidden.reference);
    });
  });

  describe('POST /v1/cases/:id/events', () => {
    it.each<[string, Body, string[]]>([
      ['an unknown type', { type: 'escalate' }, ['type']],
      ['no type', { note: 'x' }, ['type']],
      ['the service-only type created', { type: 'created' }, ['type']],
      ['the service-only type contact_changed', { type: 'contact_changed' }, ['type']],
      ['the service-only type overdue', { type: 'overdue' }, ['type']],
      [
        'occurredAt in the future',
        { type: 'note', occurredAt: '2099-01-01T00:00:00Z' },
        ['occurredAt'],
      ],
      [
        'occurredAt an impossible date',
        { type: 'note', occurredAt: '2026-02-30T10:00:00Z' },
        ['occurredAt'],
      ],
      [
        'occurredAt with an impossible zone offset (+24:00)',
        { type: 'note', occurredAt: '2026-03-03T10:00:00+24:00' },
        ['occurredAt'],
      ],
      [
        'an event dated before the escalation',
        { type: 'follow_up_sent', occurredAt: '2026-03-01T10:00:00Z' },
        ['occurredAt'],
      ],
      [
        'statementOfReasons.receivedAt with an impossible zone offset (+24:00)',
        {
          type: 'platform_responded',
          outcome: 'content_removed',
          statementOfReasons: { received: true, receivedAt: '2026-03-03T10:00:00+24:00' },
        },
        ['statementOfReasons.receivedAt'],
      ],
      ['platform_responded without outcome', { type: 'platform_responded' }, ['outcome']],
      [
        'outcome no_response on platform_responded',
        { type: 'platform_responded', outcome: 'no_response' },
        ['outcome'],
      ],
      ['an unknown outcome', { type: 'platform_responded', outcome: 'vanished' }, ['outcome']],
      ['an outcome on a note', { type: 'note', outcome: 'content_removed' }, ['outcome']],
      ['quality on a note', { type: 'note', quality: QUALITY }, ['quality']],
      [
        'statementOfReasons on a note',
        { type: 'note', statementOfReasons: { received: true } },
        ['statementOfReasons'],
      ],
      [
        'quality.reasonGiven "maybe"',
        {
          type: 'platform_responded',
          outcome: 'content_removed',
          quality: { ...QUALITY, reasonGiven: 'maybe' },
        },
        ['quality.reasonGiven'],
      ],
      [
        'an unknown field in quality',
        {
          type: 'platform_responded',
          outcome: 'content_removed',
          quality: { ...QUALITY, empathy: 'yes' },
        },
        ['quality.empathy'],
      ],
      [
        'quality missing a required answer',
        {
          type: 'platform_responded',
          outcome: 'content_removed',
          quality: { ...QUALITY, contextUnderstood: undefined },
        },
        ['quality.contextUnderstood'],
      ],
      ['an unknown top-level field', { type: 'note', severity: 3 }, ['severity']],
      ['a note with a NUL character', { type: 'note', note: 'a\u0000b' }, ['note']],
      ['a note of 4,001 characters', { type: 'note', note: 'n'.repeat(4001) }, ['note']],
    ])('%s -> 400 naming the field, nothing written', async (_label, body, fields) => {
      const c = await createCase(t.app, member().token);
      await expectRefused(() => postEvent(c.id, body), 400, fields, c.id);
    });

    it.each<[string, Body, Body[], Body]>([
      ['acknowledging a draft', { escalatedAt: undefined }, [], { type: 'platform_acknowledged' }],
      ['info_provided without a request', {}, [], { type: 'info_provided' }],
      ['reopening an escalated case', {}, [], { type: 'reopened' }],
      [
        'closing a closed case',
        {},
        [{ type: 'closed', occurredAt: '2026-03-03T10:00:00Z' }],
        { type: 'closed' },
      ],
      [
        'a second info request while the clock is stopped',
        {},
        [{ type: 'platform_requested_info', occurredAt: '2026-03-03T10:00:00Z' }],
        { type: 'platform_requested_info' },
      ],
      [
        'a platform response on a resolved case',
        {},
        [
          {
            type: 'platform_responded',
            occurredAt: '2026-03-03T10:00:00Z',
            outcome: 'content_removed',
          },
        ],
        { type: 'platform_responded', outcome: 'account_suspended' },
      ],
    ])('%s -> 409, no event written, version unchanged', async (_label, overrides, setup, step) => {
      const c = await createCase(t.app, member().token, overrides);
      for (const earlier of setup) {
        expect((await postEvent(c.id, earlier)).status).toBe(201);
      }
      const answer = await expectRefused(() => postEvent(c.id, step), 409, undefined, c.id);
      expect(answer.body).toMatchObject({
        type: 'urn:problem:escalation-tracker:illegal-step',
        errors: [{ field: 'type', message: expect.any(String) }],
      });
    });

    it('a viewer -> 403', async () => {
      const c = await createCase(t.app, member().token);
      await expectRefused(
        () => postEvent(c.id, { type: 'note', note: 'x' }, community.inA.viewer.token),
        403,
        undefined,
        c.id,
      );
    });

    it('a user of another organisation on an AMBER+STRICT case -> 404, as for no case', async () => {
      const c = await createCase(t.app, member().token);
      const other = await expectRefused(
        () => postEvent(c.id, { type: 'note', note: 'x' }, community.inB.member.token),
        404,
        undefined,
        c.id,
      );
      const missing = await postEvent(randomUUID(), { type: 'note', note: 'x' });
      expect(notFoundBody(other)).toEqual(notFoundBody(missing));
    });

    it('a case id that is not a uuid -> 400 naming id', async () => {
      await expectRefused(() => postEvent('nope', { type: 'note' }), 400, ['id']);
    });
  });

  describe('PATCH /v1/cases/:id', () => {
    it.each<[string, Record<string, string>, number]>([
      ['without If-Match -> 428', {}, 428],
      ['with a stale If-Match -> 412', { 'if-match': '"7"' }, 412],
      ['with If-Match 0 -> 412', { 'if-match': '0' }, 412],
      // RFC 9110 13.1.1: the strong comparison; a weak tag never matches, even the current one.
      ['with the current version as a weak tag W/"1" -> 412', { 'if-match': 'W/"1"' }, 412],
      ['with a list of stale tags -> 412', { 'if-match': '"7", "8"' }, 412],
    ])('%s, the case unchanged', async (_label, headers, status) => {
      const c = await createCase(t.app, member().token);
      await expectRefused(
        () => patchCase(c.id, { title: 'Changed' }, headers),
        status,
        undefined,
        c.id,
      );
    });

    it.each(['abc', '1,2', '-1', '1.0', '"1" "2"'])(
      'a malformed If-Match (%s) -> 400 naming If-Match',
      async (ifMatch) => {
        const c = await createCase(t.app, member().token);
        await expectRefused(
          () => patchCase(c.id, { title: 'Changed' }, { 'if-match': ifMatch }),
          400,
          ['If-Match'],
          c.id,
        );
      },
    );

    it.each(['"1', 'W/1'])(
      'an If-Match that is not a (weak) entity tag or a bare number (%s) -> 400',
      async (ifMatch) => {
        // parseIfMatch reads 3, "3", W/"3" (which never matches) and lists; an unbalanced quote
        // is malformed.
        const c = await createCase(t.app, member().token);
        await expectRefused(
          () => patchCase(c.id, { title: 'Changed' }, { 'if-match': ifMatch }),
          400,
          ['If-Match'],
          c.id,
        );
      },
    );

    it.each<[string, () => Body, string[]]>([
      ['platformCode', () => ({ platformCode: 'instagram' }), ['platformCode']],
      ['channelCode', () => ({ channelCode: 'in_app_report' }), ['channelCode']],
      ['escalatedAt', () => ({ escalatedAt: '2026-03-01T10:00:00Z' }), ['escalatedAt']],
      ['status', () => ({ status: 'closed' }), ['status']],
      ['outcome', () => ({ outcome: 'content_removed' }), ['outcome']],
      ['version', () => ({ version: 9 }), ['version']],
      ['title null', () => ({ title: null }), ['title']],
      ['summary null', () => ({ summary: null }), ['summary']],
      ['country null', () => ({ country: null }), ['country']],
      ['tlp null', () => ({ tlp: null }), ['tlp']],
      ['AMBER without organisations', () => ({ tlp: 'AMBER' }), ['shareWithOrganizationIds']],
      [
        'shareWithUserIds on a GREEN case',
        () => ({ tlp: 'GREEN', shareWithUserIds: [community.inA.orgAdmin.id] }),
        ['shareWithUserIds'],
      ],
      [
        'a subcategory of another category',
        () => ({ subcategoryCode: 'fake_profile' }),
        ['subcategoryCode'],
      ],
      ['a contact the user cannot see', () => ({ contactId: hiddenContactId }), ['contactId']],
      ['a contact of another platform', () => ({ contactId: instagramContactId }), ['contactId']],
      [
        'an item URL javascript:',
        () => ({ items: [{ url: 'javascript:alert(1)', kind: 'post' }] }),
        ['items.0.url'],
      ],
    ])('changing %s -> 400, the case unchanged', async (_label, body, fields) => {
      const c = await createCase(t.app, member().token);
      await expectRefused(() => patchCase(c.id, body(), { 'if-match': '"1"' }), 400, fields, c.id);
    });

    it('AMBER+STRICT -> RED with shareWithUserIds works; RED -> GREEN drops the user list', async () => {
      const c = await createCase(t.app, member().token);
      const colleague = community.inA.orgAdmin.id;
      const red = await patchCase(
        c.id,
        { tlp: 'RED', shareWithUserIds: [colleague] },
        { 'if-match': '"1"' },
      );
      expect(red.status).toBe(200);
      expect(red.body).toMatchObject({
        tlp: 'RED',
        shareWithUserIds: [colleague],
        shareWithOrganizationIds: [],
        version: 2,
      });
      const green = await patchCase(c.id, { tlp: 'GREEN' }, { 'if-match': '"2"' });
      expect(green.status).toBe(200);
      expect(green.body).toMatchObject({
        tlp: 'GREEN',
        shareWithUserIds: [],
        shareWithOrganizationIds: [],
        version: 3,
      });
      const [row] = await t.db.query(
        'SELECT tlp, shared_user_ids, shared_organization_ids FROM cases WHERE id = $1',
        [c.id],
      );
      expect(row).toEqual({ tlp: 'GREEN', shared_user_ids: [], shared_organization_ids: [] });
    });

    it('a viewer -> 403, the case unchanged', async () => {
      const c = await createCase(t.app, member().token);
      await expectRefused(
        () =>
          patchCase(c.id, { title: 'Changed' }, { 'if-match': '"1"' }, community.inA.viewer.token),
        403,
        undefined,
        c.id,
      );
    });

    it('a user of another organisation on an AMBER+STRICT case -> 404, even without If-Match', async () => {
      const c = await createCase(t.app, member().token);
      for (const headers of [{ 'if-match': '"1"' }, {}] as Record<string, string>[]) {
        await expectRefused(
          () => patchCase(c.id, { title: 'Changed' }, headers, community.inB.member.token),
          404,
          undefined,
          c.id,
        );
      }
    });
  });

  describe('GET /v1/indicators/matches', () => {
    const matches = (query: Record<string, string>) =>
      call(t.app, 'GET', '/v1/indicators/matches', { token: member().token, query });

    it.each<[string, Record<string, string>, string[]]>([
      ['neither kind nor value', {}, ['kind', 'value']],
      ['no kind', { value: 'attacker_1' }, ['kind']],
      ['no value', { kind: 'account_handle' }, ['value']],
      ['an unknown kind', { kind: 'email', value: 'a@example.org' }, ['kind']],
      ['an empty value', { kind: 'hashtag', value: '' }, ['value']],
      ['an unknown parameter', { kind: 'hashtag', value: 'fuera', org: 'x' }, ['org']],
    ])('%s -> 400 naming it', async (_label, query, fields) => {
      await expectRefused(() => matches(query), 400, fields);
    });

    it('a javascript: URL value -> 400 naming value, without echoing it', async () => {
      const value = 'javascript:alert(1)';
      const answer = await expectRefused(() => matches({ kind: 'url', value }), 400, ['value']);
      expect(answer.text).not.toContain('javascript');
      expect(answer.text).not.toContain('alert(1)');
    });
  });
});
