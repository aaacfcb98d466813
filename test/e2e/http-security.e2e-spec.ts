import { createCommunity } from '../factories/community.factory';
import { Answer, call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

const LISTED = 'https://app.example.org';
const ALSO_LISTED = 'http://localhost:5173';

const API_CSP = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;" +
  "font-src 'self' data:;connect-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none'";

/** The headers every answer carries, whatever answered it. */
function expectSecurityHeaders(answer: Answer<unknown>, csp = API_CSP) {
  expect({
    csp: answer.headers['content-security-policy'],
    nosniff: answer.headers['x-content-type-options'],
    referrer: answer.headers['referrer-policy'],
    frame: answer.headers['x-frame-options'],
    corp: answer.headers['cross-origin-resource-policy'],
  }).toEqual({
    csp,
    nosniff: 'nosniff',
    referrer: 'no-referrer',
    frame: 'DENY',
    corp: 'same-origin',
  });
}

describe('security headers', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
    token = (await createCommunity(t.app)).inA.member.token;
  });
  afterAll(() => t.close());

  it('are on successful JSON answers, without HSTS when the service is not reached over HTTPS', async () => {
    for (const [url, auth] of [
      ['/health/live', undefined],
      ['/v1/me', token],
      ['/v1/organizations', token],
      ['/openapi.json', undefined],
    ] as [string, string | undefined][]) {
      const answer = await call(t.app, 'GET', url, { token: auth });
      expect({ url, status: answer.status }).toEqual({ url, status: 200 });
      expectSecurityHeaders(answer);
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('are on problem+json errors, 404s and 405s', async () => {
    const answers: [Answer, number][] = [
      [await call(t.app, 'GET', '/v1/me'), 401],
      [await call(t.app, 'GET', '/v1/no-such-route', { token }), 404],
      [await call(t.app, 'GET', '/no-such-page'), 404],
      [await call(t.app, 'DELETE', '/health'), 405],
      [
        await call(t.app, 'POST', '/v1/cases', {
          token,
          raw: '{"title": ',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      ],
      [await call(t.app, 'POST', '/v1/cases', { token, body: { title: 'x'.repeat(5000) } }), 413],
      [await call(t.app, 'POST', '/v1/cases', { token, body: { unknown: 1 } }), 400],
    ];
    for (const [answer, status] of answers) {
      expectProblem(answer, status);
      expectSecurityHeaders(answer);
    }
  });

  it('let the /docs page load its own scripts and styles, and nothing from elsewhere', async () => {
    const page = await call(t.app, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expectSecurityHeaders(page, DOCS_CSP);
    // Every script the page loads is a file of this origin (no inline script is needed).
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts)
      expect(attributes).toMatch(/src=["'](\.)?\/docs\/[\w.-]+\.js["']/);
    for (const asset of [
      '/docs/swagger-ui-init.js',
      '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui.css',
    ]) {
      const answer = await call(t.app, 'GET', asset);
      expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
      expectSecurityHeaders(answer, DOCS_CSP);
    }
  });
});

describe('CORS', () => {
  let open: TestApp;
  let closed: TestApp;
  let token: string;

  const preflight = (t: TestApp, origin: string, url = '/v1/cases') =>
    t.app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
  const corsHeaders = (headers: Record<string, unknown>) =>
    Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  beforeAll(async () => {
    // Passport's strategies are process-wide: the app created last authenticates. Only `open`
    // is called with a token.
    closed = await createTestApp();
    open = await createTestApp({ CORS_ORIGINS: `${LISTED}, ${ALSO_LISTED}` });
    token = (await createCommunity(open.app)).inA.member.token;
  });
  afterAll(() => Promise.all([open.close(), closed.close()]));

  it('answers the preflight of a listed origin with the methods and headers the API uses', async () => {
    for (const origin of [LISTED, ALSO_LISTED]) {
      const answer = await preflight(open, origin);
      expect(answer.statusCode).toBe(204);
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, HEAD, POST, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, if-match, idempotency-key',
        'access-control-max-age': '600',
        'x-content-type-options': 'nosniff',
      });
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(answer.headers.vary)).toMatch(/\bOrigin\b/);
    }
    // A PATCH with If-Match, as the case updates need.
    const patch = await open.app.inject({
      method: 'OPTIONS',
      url: '/v1/cases/00000000-0000-4000-8000-000000000000',
      headers: {
        origin: LISTED,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type,if-match',
      },
    });
    expect(patch.statusCode).toBe(204);
    expect(patch.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it('lets a listed origin read answers and the headers clients need', async () => {
    const answer = await call(open.app, 'GET', '/v1/me', { token, headers: { origin: LISTED } });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': LISTED,
      'access-control-expose-headers': 'etag, location, x-request-id, retry-after',
    });
    const problem = await call(open.app, 'GET', '/v1/me', { headers: { origin: LISTED } });
    expectProblem(problem, 401);
    expect(problem.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it('gives an unlisted origin no CORS header at all, and its preflight a 404', async () => {
    for (const origin of [
      'https://evil.example.net',
      'https://app.example.org.evil.example.net',
      'http://app.example.org',
      'https://app.example.org:8443',
      'null',
    ]) {
      const answer = await call(open.app, 'GET', '/v1/me', { token, headers: { origin } });
      expect({ origin, status: answer.status }).toEqual({ origin, status: 200 });
      expect(corsHeaders(answer.headers)).toEqual([]);
      const refused = await preflight(open, origin);
      expect({ origin, status: refused.statusCode }).toEqual({ origin, status: 404 });
      expect(corsHeaders(refused.headers)).toEqual([]);
    }
  });

  it('is closed to every origin when CORS_ORIGINS is not set', async () => {
    const answer = await call(closed.app, 'GET', '/health/live', { headers: { origin: LISTED } });
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer.headers)).toEqual([]);
    const refused = await preflight(closed, LISTED);
    expect(refused.statusCode).toBe(404);
    expect(corsHeaders(refused.headers)).toEqual([]);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });
});

describe('HSTS', () => {
  it('is sent when PUBLIC_BASE_URL is https (the service sits behind TLS)', async () => {
    const tls = await createTestApp({ PUBLIC_BASE_URL: 'https://tracker.example.org' });
    try {
      for (const answer of [
        await call(tls.app, 'GET', '/health/live'),
        await call(tls.app, 'GET', '/v1/me'),
      ]) {
        expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
        expectSecurityHeaders(answer);
      }
    } finally {
      await tls.close();
    }
  });
});

describe('the HTTP server', () => {
  it('is the top-level fastify (kept patched), not the older copy Nest 11 pins', async () => {
    const t = await createTestApp();
    try {
      const version = (t.app.getHttpAdapter().getInstance() as { version: string }).version;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed version
      expect(version).toBe((require('fastify/package.json') as { version: string }).version);
      const [major, minor, patch] = version.split('.').map(Number);
      // 5.12.2 fixed four high-severity advisories that 5.11.3 (Nest's pin) still has.
      expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(5_012_002);
    } finally {
      await t.close();
    }
  });
});
