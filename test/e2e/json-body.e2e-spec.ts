import { createCommunity } from '../factories/community.factory';
import { caseBody } from '../factories/case.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/** What PostgreSQL or the validation could not take is refused by the JSON parser, for every route. */
describe('JSON bodies that cannot be stored', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t?.close());

  const countCases = async () =>
    Number(((await t.db.query('SELECT count(*) AS n FROM cases')) as { n: string }[])[0].n);

  async function refused(raw: string, field: string, url = '/v1/cases') {
    const before = await countCases();
    const answer = await t.app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${c.inA.member.token}`,
        'content-type': 'application/json',
      },
      payload: raw,
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer.body) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field.slice(0, field.length))).toContain(field);
    expect(await countCases()).toBe(before);
  }

  const body = (patch: Record<string, unknown>) => JSON.stringify({ ...caseBody(), ...patch });
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it('refuses a body nested 10,000 levels deep (no stack overflow)', async () => {
    await refused(`{"title":${nested(10_000)}}`, 'title');
    await refused(nested(10_000), '0.0.0');
  });

  it('refuses 33 levels and lets 32 reach the validation', async () => {
    const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    await refused(deep(33), 'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a');
    const answer = await call(t.app, 'POST', '/v1/cases', {
      token: c.inA.member.token,
      body: JSON.parse(deep(32)) as Record<string, unknown>,
    });
    expectProblem(answer, 400);
    expect(JSON.stringify(answer.body)).not.toMatch(/nest more than/);
  });

  it('refuses NUL and unpaired surrogates in values, nested values and member names', async () => {
    await refused(body({ title: 'a\u0000b' }), 'title');
    await refused(body({ summary: 'x\ud800' }).replace('x\ud800', 'x\\ud800'), 'summary');
    await refused(
      body({
        items: [{ url: 'https://example.org/p', kind: 'post', capturedAt: '\udc00' }],
      }).replace('\udc00', '\\udc00'),
      'items.0.capturedAt',
    );
    await refused(`{"title":"t","k\\u0000":1}`, '(body)');
  });

  it('keeps paired surrogates (emoji) and other Unicode', async () => {
    const answer = await call(t.app, 'POST', '/v1/cases', {
      token: c.inA.member.token,
      body: caseBody({ title: 'Acoso 👩🏽‍💻 — ñ ü 中文' }),
    });
    expect(answer.status).toBe(201);
    expect((answer.body as { title: string }).title).toBe('Acoso 👩🏽‍💻 — ñ ü 中文');
  });

  it('still refuses prototype-poisoning keys', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: {
        authorization: `Bearer ${c.inA.member.token}`,
        'content-type': 'application/json',
      },
      payload: '{"title":"t","__proto__":{"polluted":1}}',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
