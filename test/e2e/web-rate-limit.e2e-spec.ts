import { createCommunity } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

/** The API's per-user write budget (WRITE_RATE_LIMIT_PER_MINUTE) counts the web forms too. */
describe('web: write rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ WRITE_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t?.close());

  it('refuses a form beyond the budget shared with the API, with a 429 page, and changes nothing', async () => {
    const c = await createCommunity(t.app);
    const user = c.inA.member;
    const w = await WebClient.signedIn(t.app, user, { 'accept-language': 'es' });
    // The counts are per fixed minute: start just past a minute's start so all fall in one.
    t.clock.advance(60_000 - (t.clock.now().getTime() % 60_000) + 100);
    // Two writes through the API and one form: the budget of 3 is spent.
    for (let i = 0; i < 2; i += 1) {
      const token = await call(t.app, 'POST', '/v1/calendar-tokens', {
        token: user.token,
        body: { name: `feed ${i}` },
      });
      expect(token.status).toBe(201);
    }
    const saved = await w.post('/web/settings', { language: 'es', timezone: 'America/La_Paz' });
    expect(saved.status).toBe(303);

    await w.get('/web/settings');
    const refused = await w.post('/web/settings', { language: 'pt', timezone: 'UTC' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.html).toContain('Demasiados cambios a la vez');
    const [row] = (await t.db.query('SELECT language, timezone FROM users WHERE id = $1', [
      user.id,
    ])) as { language: string; timezone: string }[];
    expect(row).toEqual({ language: 'es', timezone: 'America/La_Paz' });

    // The API shares the count; signing out is never refused.
    const api = await call(t.app, 'POST', '/v1/calendar-tokens', {
      token: user.token,
      body: { name: 'one more' },
    });
    expect(api.status).toBe(429);
    await w.get('/web/settings');
    const out = await w.post('/web/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/web/sign-in?signedOut=1');
  });
});
