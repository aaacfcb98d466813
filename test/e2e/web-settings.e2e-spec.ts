import { MESSAGES } from '../../src/i18n/labels';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

/*
 * Account settings through a web session: language and time zone saved by the users service
 * (then the pages speak that language), API tokens (secret shown once, revocable) and calendar
 * feeds; every form refused without its CSRF field, with nothing changed.
 */
describe('web: account settings', () => {
  let t: TestApp;

  const signedIn = (user: TestUser) => WebClient.signedIn(t.app, user);
  const userRow = async (id: string) =>
    (
      (await t.db.query('SELECT language, timezone FROM users WHERE id = $1', [id])) as {
        language: string;
        timezone: string;
      }[]
    )[0];
  const activeTokens = async (userId: string) =>
    Number(
      (
        (await t.db.query(
          'SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL',
          [userId],
        )) as [{ n: number }]
      )[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const newUser = async (role: 'viewer' | 'member' = 'viewer') =>
    createUser(t.app, (await createOrganization(t.app)).id, role);

  it('saves language and time zone; the pages are then in that language and time zone', async () => {
    const user = await newUser();
    const w = await signedIn(user);
    expect(w.last!.html).toContain('<html lang="en">');
    const saved = await w.post('/web/settings', { language: 'es', timezone: 'America/La_Paz' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/web/settings?done=saved');
    expect(await userRow(user.id)).toEqual({ language: 'es', timezone: 'America/La_Paz' });
    const page = await w.get('/web/settings?done=saved');
    expect(page.html).toContain('<html lang="es">');
    expect(page.html).toContain(MESSAGES.es['ui.settings.title']);
    expect(page.html).toContain(MESSAGES.es['ui.settings.saved']);
    expect(page.html).toContain('<option value="America/La_Paz" selected>');
    const trends = await w.get('/web/trends');
    expect(trends.html).toContain(MESSAGES.es['ui.insights.trends.intro']);
    // Audited like PATCH /v1/users/:id.
    const audited = (await t.db.query(
      "SELECT count(*)::int AS n FROM audit_entries WHERE action = 'user.updated' AND target_id = $1",
      [user.id],
    )) as [{ n: number }];
    expect(audited[0].n).toBe(1);
  });

  it('refuses an unknown language or time zone with field errors, changing nothing', async () => {
    const user = await newUser();
    const w = await signedIn(user);
    const before = await userRow(user.id);
    const answer = await w.post('/web/settings', { language: 'xx', timezone: 'Mars/Olympus' });
    expect(answer.status).toBe(400);
    expect(answer.html.match(/aria-invalid="true"/g)).toHaveLength(2);
    expect(await userRow(user.id)).toEqual(before);
  });

  it('creates an API token shown once, which works, then revokes it', async () => {
    const user = await newUser('member');
    const w = await signedIn(user);
    const created = await w.post('/web/settings/tokens', {
      name: 'quarterly sync job',
      expiresInDays: '30',
    });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const secret = /id="new-token" class="secret" readonly value="(etk_[A-Za-z0-9_-]+)"/.exec(
      created.html,
    )?.[1];
    expect(secret).toBeDefined();
    const me = await call<{ id: string }>(t.app, 'GET', '/v1/me', { token: secret });
    expect(me.status).toBe(200);
    // Listed by name, never with the secret again.
    const page = await w.get('/web/settings');
    expect(page.html).toContain('quarterly sync job');
    expect(page.html).not.toContain(secret!);
    const id = /action="\/web\/settings\/tokens\/([0-9a-f-]{36})\/revoke"/.exec(page.html)![1];
    const revoked = await w.post(`/web/settings/tokens/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe('/web/settings?done=tokenRevoked');
    expect(await activeTokens(user.id)).toBe(0);
    expect((await call(t.app, 'GET', '/v1/me', { token: secret })).status).toBe(401);
    expect((await w.get('/web/settings')).html).not.toContain('quarterly sync job');
    // Someone else's token is a 404, like DELETE /v1/auth/tokens/:id.
    const other = await signedIn(await newUser());
    await other.post('/web/settings/tokens', { name: 'theirs' });
    const theirs = /action="\/web\/settings\/tokens\/([0-9a-f-]{36})\/revoke"/.exec(
      (await other.get('/web/settings')).html,
    )![1];
    await w.get('/web/settings');
    expect((await w.post(`/web/settings/tokens/${theirs}/revoke`, {})).status).toBe(404);
  });

  it('refuses a token without a name, or with a lifetime out of range', async () => {
    const user = await newUser();
    const w = await signedIn(user);
    expect((await w.post('/web/settings/tokens', { name: '' })).status).toBe(400);
    expect((await w.post('/web/settings/tokens', { name: 'x', expiresInDays: '400' })).status).toBe(
      400,
    );
    expect(w.last!.html).toContain('aria-describedby="token-days-error"');
    expect(await activeTokens(user.id)).toBe(0);
  });

  it('creates a calendar feed, shows its address once, and revokes it', async () => {
    const user = await newUser();
    const w = await signedIn(user);
    const created = await w.post('/web/settings/calendar', { name: 'work phone' });
    expect(created.status).toBe(201);
    const url = /id="new-feed" class="secret" readonly value="([^"]+)"/.exec(created.html)![1];
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/v1\/calendar\/etcal_[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await call(t.app, 'GET', path);
    expect(feed.status).toBe(200);
    expect(String(feed.headers['content-type'])).toMatch(/^text\/calendar/);
    const page = await w.get('/web/settings');
    expect(page.html).toContain('work phone');
    expect(page.html).not.toContain(path);
    const id = /action="\/web\/settings\/calendar\/([0-9a-f-]{36})\/revoke"/.exec(page.html)![1];
    expect((await w.post(`/web/settings/calendar/${id}/revoke`, {})).status).toBe(303);
    expect((await call(t.app, 'GET', path)).status).toBe(404);
  });

  it('refuses every settings form without its CSRF field (403), changing nothing', async () => {
    const user = await newUser('member');
    const w = await signedIn(user);
    await w.post('/web/settings/tokens', { name: 'kept' });
    const tokenId = /action="\/web\/settings\/tokens\/([0-9a-f-]{36})\/revoke"/.exec(
      (await w.get('/web/settings')).html,
    )![1];
    const before = await userRow(user.id);
    const forms: [string, Record<string, string | null>][] = [
      ['/web/settings', { language: 'fr', timezone: 'Europe/Paris' }],
      ['/web/settings/tokens', { name: 'sneaky' }],
      [`/web/settings/tokens/${tokenId}/revoke`, {}],
      ['/web/settings/calendar', { name: 'sneaky' }],
    ];
    for (const [path, fields] of forms) {
      for (const csrf of [null, 'forged-token-value-forged-token-value-forged']) {
        const answer = await w.post(path, { ...fields, _csrf: csrf });
        expect({ path, csrf, status: answer.status }).toEqual({ path, csrf, status: 403 });
        expect(answer.html).toContain(MESSAGES.en['ui.error.text.403']);
      }
    }
    expect(await userRow(user.id)).toEqual(before);
    expect(await activeTokens(user.id)).toBe(1);
    const feeds = (await t.db.query(
      'SELECT count(*)::int AS n FROM calendar_tokens WHERE user_id = $1',
      [user.id],
    )) as [{ n: number }];
    expect(feeds[0].n).toBe(0);
  });

  it('sign out everywhere ends this and every other session, and API tokens when asked', async () => {
    const user = await newUser('member');
    const [browser, otherBrowser] = [await signedIn(user), await signedIn(user)];
    const login = await call<{ accessToken: string }>(t.app, 'POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    const jwt = login.body.accessToken;
    const minted = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
      token: jwt,
      body: { name: 'script' },
    });
    expect(minted.status).toBe(201);
    const me = (token: string) => call(t.app, 'GET', '/v1/me', { token }).then((a) => a.status);

    await browser.get('/web/settings');
    const ended = await browser.post('/web/settings/sign-out-everywhere', {});
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/web/sign-in?signedOut=everywhere');
    // Both browsers are signed out, the access token too; the API token stays (not asked).
    for (const w of [browser, otherBrowser]) {
      expect((await w.get('/web/cases')).headers.location).toMatch(/^\/web\/sign-in/);
    }
    expect(await me(jwt)).toBe(401);
    expect(await me(minted.body.token)).toBe(200);
    const notice = await browser.get('/web/sign-in?signedOut=everywhere');
    expect(notice.html).toContain(MESSAGES.en['ui.signIn.signedOutEverywhere']);

    // Again, with the API tokens.
    const again = await signedIn(user);
    await again.get('/web/settings');
    await again.post('/web/settings/sign-out-everywhere', { revokeApiTokens: 'on' });
    expect(await me(minted.body.token)).toBe(401);
    expect(await activeTokens(user.id)).toBe(0);
  });
});
