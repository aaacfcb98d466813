import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createCommunity } from '../factories/community.factory';

describe('HTTP conventions', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
    adminToken = (await createCommunity(t.app)).admin.token;
  });
  afterAll(() => t.close());

  it('answers unknown routes with a 404 problem', async () => {
    const answer = await call(t.app, 'GET', '/v1/no-such-thing', { token: adminToken });
    expect(expectProblem(answer, 404).detail).toBe('No such resource.');
  });

  it('answers a known path asked with a method it lacks 405 with Allow (RFC 9110)', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/cases', 'GET, HEAD, POST'],
      ['PUT', '/v1/cases/3f0c1e7e-0000-4000-8000-000000000000', 'GET, HEAD, PATCH, DELETE'],
      ['POST', '/health', 'GET, HEAD'],
      ['DELETE', '/v1/patterns/trends?groupBy=country', 'GET, HEAD'],
    ] as const) {
      const answer = await call(t.app, method, url, { token: adminToken });
      expect(expectProblem(answer, 405).detail).toBe(`This resource answers ${allow}.`);
      expect(answer.headers.allow).toBe(allow);
    }
    // Unknown paths stay 404, whatever the method; OPTIONS stays CORS's.
    expectProblem(await call(t.app, 'DELETE', '/v1/no-such-thing', { token: adminToken }), 404);
    expect((await call(t.app, 'OPTIONS', '/v1/cases', {})).status).toBe(404);
  });

  it('answers malformed JSON with a 400 problem that does not quote the body', async () => {
    const answer = await call(t.app, 'POST', '/v1/organizations', {
      token: adminToken,
      raw: '{"slug": "secret-survivor-name',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(answer, 400);
    expect(answer.text).not.toContain('secret-survivor-name');
  });

  it('answers a body that is not a JSON object with a 400 problem', async () => {
    for (const raw of ['[]', '"text"', '42', 'null']) {
      const answer = await call(t.app, 'POST', '/v1/organizations', {
        token: adminToken,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(answer, 400);
    }
  });

  it('answers unsupported media types with 415', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const answer = await call(t.app, 'POST', '/v1/organizations', {
        token: adminToken,
        raw: 'slug=x',
        headers: { 'content-type': type },
      });
      expect(expectProblem(answer, 415).detail).toBe('Send the request body as application/json.');
    }
  });

  it('answers bodies over the configured limit with 413', async () => {
    const answer = await call(t.app, 'POST', '/v1/organizations', {
      token: adminToken,
      body: { slug: 'big', name: 'x'.repeat(5000) },
    });
    expectProblem(answer, 413);
    await expect(
      t.db.query(`SELECT count(*)::int AS n FROM organizations WHERE slug = 'big'`),
    ).resolves.toEqual([{ n: 0 }]);
  });

  it('gives every response a request id, keeping a well-formed incoming one', async () => {
    const mine = await call(t.app, 'GET', '/health/live', {
      headers: { 'x-request-id': 'client-req-12345' },
    });
    expect(mine.headers['x-request-id']).toBe('client-req-12345');
    const hostile = await call(t.app, 'GET', '/health/live', {
      headers: { 'x-request-id': 'bad id\u0000<script>' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await call(t.app, 'GET', '/v1/me');
    expect(problem.body.requestId).toBe(problem.headers['x-request-id']);
  });

  it('logs each request with its route template and request id, never the raw query', async () => {
    await call(t.app, 'GET', '/v1/organizations', {
      token: adminToken,
      query: { country: 'BO', limit: '5' },
    });
    const line = t.logs.find(
      (l) => l.msg === 'request' && l.route === '/v1/organizations' && l.method === 'GET',
    );
    expect(line).toMatchObject({ method: 'GET', status: 200, reqId: expect.any(String) });
    expect(t.rawLogs()).not.toContain('country=BO');
  });

  describe('health', () => {
    it('reports PostgreSQL and Redis', async () => {
      const answer = await call(t.app, 'GET', '/health');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        status: 'ok',
        checks: { postgres: 'up', redis: 'up', queues: 'ok' },
      });
      await expect(call(t.app, 'GET', '/health/live')).resolves.toMatchObject({
        status: 200,
        body: { status: 'ok' },
      });
    });
  });

  describe('OpenAPI', () => {
    it('serves a deterministic OpenAPI 3 document and the docs page', async () => {
      const first = await call(t.app, 'GET', '/openapi.json');
      const second = await call(t.app, 'GET', '/openapi.json');
      expect(first.status).toBe(200);
      expect(first.body.openapi).toMatch(/^3\./);
      expect(first.text).toBe(second.text);
      const docs = await call(t.app, 'GET', '/docs');
      expect(docs.status).toBe(200);
      expect(docs.text).toContain('swagger');
    });

    it('documents the request fields and the refusals of every /v1 route', async () => {
      const doc = (await call(t.app, 'GET', '/openapi.json')).body as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, unknown>; operationId: string }>
        >;
        components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
      };
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ path, method, op })),
      );
      expect(operations.length).toBeGreaterThan(10);
      for (const { path, method, op } of operations.filter((o) => o.path.startsWith('/v1/'))) {
        const declared = Object.keys(op.responses);
        // Public routes: login, the calendar feed (its token is in the path; a bad one is 404),
        // and the public trends (opted-in aggregates, 404 unless PUBLIC_TRENDS=true).
        const isPublic = [
          '/v1/auth/login',
          '/v1/calendar/{token}.ics',
          '/v1/public/trends',
        ].includes(path);
        expect({
          route: `${method} ${path}`,
          has401: declared.includes('401') || isPublic,
        }).toEqual({
          route: `${method} ${path}`,
          has401: true,
        });
        expect(op.operationId).toMatch(/^[A-Za-z]+_[A-Za-z]+$/);
      }
      expect(
        Object.keys(doc.components.schemas.CreateOrganizationDto.properties ?? {}).sort(),
      ).toEqual([
        'constituencies',
        'contactEmail',
        'countries',
        'introduction',
        'joinedOn',
        'languages',
        'name',
        'namedInCampaigns',
        'publicStatistics',
        'services',
        'signal',
        'slug',
        'socialAccounts',
        'timezone',
        'website',
      ]);
    });
  });
});
