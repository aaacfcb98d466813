import { MESSAGES } from '../../src/i18n/labels';
import reference from '../../src/platforms/data/platforms.json';
import { createCase } from '../factories/case.factory';
import { createCommunity, createUser } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

type Community = Awaited<ReturnType<typeof createCommunity>>;

/** The reference data's names, longest first (a channel's name may hold its company's). */
const PROPER_NAMES = reference.platforms
  .flatMap((p) => [p.name, p.parent_company ?? '', ...p.channels.map((ch) => ch.name)])
  .filter(Boolean)
  .sort((a, b) => b.length - a.length);

const FORM = {
  channel: 'facebook/trusted_partner',
  country: 'BO',
  contentLanguage: 'es',
  categoryCode: 'doxxing',
  subcategoryCode: 'home_address_location',
  urgency: 'high',
  tlp: 'AMBER+STRICT',
  summary: 'Home address posted with calls to visit her.',
  itemUrl0: 'https://facebook.com/posts/987',
  escalatedNow: 'on',
};

describe('web interface', () => {
  let t: TestApp;
  let c: Community;

  const signIn = async (email: string, password: string, headers: Record<string, string> = {}) => {
    const w = new WebClient(t.app, headers);
    await w.get('/web/sign-in');
    const answer = await w.post('/web/sign-in', { email, password });
    return { w, answer };
  };
  const member = async (user: { email: string; password: string }) => {
    const { w, answer } = await signIn(user.email, user.password);
    expect(answer.status).toBe(303);
    return w;
  };
  const caseIdOf = (location: unknown) =>
    /\/web\/cases\/([0-9a-f-]{36})/.exec(String(location))![1];
  const countRows = async (sql: string, params: unknown[] = []) =>
    Number(((await t.db.query(sql, params)) as [{ n: string }])[0].n);

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_LOCKOUT_FAILURES: '2', LOGIN_MAX_FAILURES_PER_EMAIL: '100' });
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('sign in and out', () => {
    it('signs in with a session cookie (HttpOnly, SameSite=Strict, path /web), stored hashed', async () => {
      const { w, answer } = await signIn(c.inA.member.email, c.inA.member.password);
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe('/web/cases');
      const setCookie = [answer.headers['set-cookie']].flat().join('\n');
      expect(setCookie).toMatch(
        /^et_session=[A-Za-z0-9_-]{43}; Path=\/web; HttpOnly; SameSite=Strict$/m,
      );
      const token = w.cookies.get('et_session')!;
      const stored = (await t.db.query('SELECT token_hash FROM web_sessions WHERE user_id = $1', [
        c.inA.member.id,
      ])) as { token_hash: string }[];
      expect(stored.map((s) => s.token_hash)).not.toContain(token);
      expect(stored.length).toBeGreaterThan(0);
      expect((await w.get('/web/cases')).status).toBe(200);
    });

    it('refuses a wrong password and an unknown address with one message, and no session', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      for (const [email, password] of [
        [user.email, 'not-the-password-at-all'],
        ['nobody@example.org', 'not-the-password-at-all'],
      ]) {
        const { w, answer } = await signIn(email, password);
        expect(answer.status).toBe(401);
        expect(answer.html).toContain(MESSAGES.en['ui.signIn.failed']);
        expect(answer.html).toContain(`value="${email}"`);
        expect(answer.html).not.toContain('not-the-password-at-all');
        expect(w.cookies.has('et_session')).toBe(false);
      }
    });

    it('refuses a locked account even with the right password, and a deactivated one', async () => {
      const locked = await createUser(t.app, c.a.id, 'member');
      await signIn(locked.email, 'wrong-password-one');
      await signIn(locked.email, 'wrong-password-two');
      const { answer } = await signIn(locked.email, locked.password);
      expect(answer.status).toBe(401);
      await expect(
        countRows('SELECT count(*) AS n FROM web_sessions WHERE user_id = $1', [locked.id]),
      ).resolves.toBe(0);

      const leaving = await createUser(t.app, c.a.id, 'member');
      const w = await member(leaving);
      await t.db.query('UPDATE users SET active = false WHERE id = $1', [leaving.id]);
      // The session stops at once (the session lookup reads the user, not a cache).
      const after = await w.get('/web/cases');
      expect(after.status).toBe(303);
      expect(after.headers.location).toBe('/web/sign-in');
    });

    it('signs out: the session row is deleted and the cookie cleared', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const w = await member(user);
      await w.get('/web/cases');
      const token = w.cookies.get('et_session')!;
      const out = await w.post('/web/sign-out', {});
      expect(out.status).toBe(303);
      expect([out.headers['set-cookie']].flat().join('\n')).toMatch(
        /et_session=; Path=\/web; HttpOnly; SameSite=Strict; Max-Age=0/,
      );
      await expect(
        countRows('SELECT count(*) AS n FROM web_sessions WHERE user_id = $1', [user.id]),
      ).resolves.toBe(0);
      // The old cookie opens nothing any more.
      const replay = await t.app.inject({
        method: 'GET',
        url: '/web/cases',
        headers: { cookie: `et_session=${token}` },
      });
      expect(replay.statusCode).toBe(303);
    });
  });

  describe('CSRF', () => {
    it('refuses a form with a missing or wrong token (403 page) and changes nothing', async () => {
      const w = await member(c.inA.member);
      await w.get('/web/cases/new');
      const before = await countRows('SELECT count(*) AS n FROM cases');
      for (const token of [null, 'forged-token-forged-token-forged-token-forg']) {
        const answer = await w.post('/web/cases', { ...FORM, title: 'CSRF attempt', _csrf: token });
        expect(answer.status).toBe(403);
        expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(answer.html).toContain(MESSAGES.en['ui.error.title.403']);
      }
      await expect(countRows('SELECT count(*) AS n FROM cases')).resolves.toBe(before);
      // The token of another session does not fit this one.
      const other = await member(c.inA.orgAdmin);
      await other.get('/web/cases/new');
      const answer = await w.post('/web/cases', {
        ...FORM,
        title: 'CSRF attempt',
        _csrf: other.csrfToken()!,
      });
      expect(answer.status).toBe(403);
      // Sign-out and sign-in forms are covered too.
      expect((await w.post('/web/sign-out', { _csrf: null })).status).toBe(403);
      expect(
        (
          await new WebClient(t.app).post('/web/sign-in', {
            email: c.inA.member.email,
            password: c.inA.member.password,
          })
        ).status,
      ).toBe(403);
    });
  });

  describe('cases', () => {
    let w: WebClient;
    let caseId: string;
    const title = `Doxxing via the web form ${Date.now()}`;

    beforeAll(async () => {
      w = await member(c.inA.member);
    });

    it('shows field errors in the UI language and keeps the values', async () => {
      await w.get('/web/cases/new');
      const answer = await w.post('/web/cases', { ...FORM, title: '', itemUrl0: 'not a url' });
      expect(answer.status).toBe(400);
      expect(answer.html).toMatch(/id="title-error">This field is required\./);
      expect(answer.html).toContain(`id="itemUrl0-error">${MESSAGES.en['ui.error.url']}`);
      expect(answer.html).toContain('value="not a url"');
      expect(answer.html).toContain('Home address posted with calls to visit her.');
      // The service's own checks (a subcategory of another category) land next to the field too.
      const wrong = await w.post('/web/cases', {
        ...FORM,
        title: 'x',
        subcategoryCode: 'fake_profiles',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.html).toContain(
        `id="subcategoryCode-error">${MESSAGES.en['ui.error.subcategory']}`,
      );
    });

    it('logs an escalation through the form: it is in the list and on its page', async () => {
      await w.get('/web/cases/new');
      const answer = await w.post('/web/cases', { ...FORM, title });
      expect(answer.status).toBe(303);
      caseId = caseIdOf(answer.headers.location);
      const [row] = (await t.db.query(
        'SELECT organization_id, created_by, status, tlp, title FROM cases WHERE id = $1',
        [caseId],
      )) as Record<string, string>[];
      expect(row).toEqual({
        organization_id: c.a.id,
        created_by: c.inA.member.id,
        status: 'escalated',
        tlp: 'AMBER+STRICT',
        title,
      });

      const list = await w.get('/web/cases');
      expect(list.html).toContain(title);
      expect(list.html).toContain(`href="/web/cases/${caseId}"`);
      const page = await w.get(`/web/cases/${caseId}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain(title);
      expect(page.html).toContain('value="platform_acknowledged"');
      expect(page.html).not.toContain('value="reopened"');
    });

    it('suggests the contact to write to for that platform, country and language', async () => {
      const contact = await call(t.app, 'POST', '/v1/contacts', {
        token: c.inA.orgAdmin.token,
        body: {
          platformCode: 'facebook',
          fullName: 'Ana Contacto',
          email: 'ana@fb.example',
          languages: ['es'],
          countries: ['BO'],
        },
      });
      expect(contact.status).toBe(201);
      await w.get('/web/cases/new');
      const answer = await w.post('/web/cases', { ...FORM, title: 'x', action: 'suggest' });
      expect(answer.status).toBe(200);
      expect(answer.html).toContain('Ana Contacto');
      expect(answer.html).toContain(`value="${String(contact.body.id)}"`);
    });

    it('records a platform response and shows the response time', async () => {
      await w.get(`/web/cases/${caseId}`);
      const answer = await w.post(`/web/cases/${caseId}/events`, {
        type: 'platform_responded',
        outcome: 'content_removed',
        note: 'Removed.',
      });
      expect(answer.status).toBe(303);
      const page = await w.get(`/web/cases/${caseId}`);
      expect(page.html).toMatch(/class="response-time">\d+ minutes?</);
      expect(page.html).toContain('Content removed');
      expect(page.html).toContain('value="reopened"');
      expect(page.html).not.toContain('value="platform_acknowledged"');
      // An illegal step (acknowledging a resolved case) is refused and writes nothing.
      const events = await countRows('SELECT count(*) AS n FROM case_events WHERE case_id = $1', [
        caseId,
      ]);
      const refused = await w.post(`/web/cases/${caseId}/events`, {
        type: 'platform_acknowledged',
      });
      expect(refused.status).toBe(409);
      await expect(
        countRows('SELECT count(*) AS n FROM case_events WHERE case_id = $1', [caseId]),
      ).resolves.toBe(events);
    });

    it('another organisation gets 404 for the case page and does not see it in its list', async () => {
      const other = await member(c.inB.member);
      const page = await other.get(`/web/cases/${caseId}`);
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.html).not.toContain(title);
      expect((await other.get('/web/cases')).html).not.toContain(title);
      const step = await other.post(`/web/cases/${caseId}/events`, { type: 'closed' });
      expect(step.status).toBe(404);
    });

    it('AMBER+STRICT and RED cases stay invisible as in the API', async () => {
      const strict = await createCase(t.app, c.inA.member.token, {
        tlp: 'AMBER+STRICT',
        escalatedAt: undefined,
      });
      const red = await createCase(t.app, c.inA.member.token, { tlp: 'RED' });
      const colleague = await member(c.inA.viewer);
      expect((await colleague.get(`/web/cases/${strict.id}`)).status).toBe(200);
      expect((await colleague.get(`/web/cases/${red.id}`)).status).toBe(404);
      expect((await colleague.get('/web/cases')).html).not.toContain(red.title);
      const outsider = await member(c.inB.orgAdmin);
      expect((await outsider.get(`/web/cases/${strict.id}`)).status).toBe(404);
      expect(
        (await member(c.admin)).get(`/web/cases/${red.id}`).then((a) => a.status),
      ).resolves.toBe(404);
    });

    it('lists overdue cases first', async () => {
      const org = await createCommunity(t.app);
      const late = await createCase(t.app, org.inA.member.token, {
        escalatedAt: '2026-01-02T10:00:00.000Z',
      });
      const fresh = await createCase(t.app, org.inA.member.token, {
        escalatedAt: new Date().toISOString(),
      });
      const html = (await (await member(org.inA.member)).get('/web/cases')).html;
      expect(html.indexOf(late.reference)).toBeGreaterThan(-1);
      expect(html.indexOf(late.reference)).toBeLessThan(html.indexOf(fresh.reference));
    });
  });

  describe('HTTP', () => {
    it('keeps the API at 415 for form bodies', async () => {
      const answer = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=a%40b.org&password=x',
      });
      expect(answer.statusCode).toBe(415);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    });

    it('answers HTML 404s under /web, serves assets with long cache headers and the web CSP', async () => {
      const w = new WebClient(t.app, { 'accept-language': 'fr' });
      const missing = await w.get('/web/no-such-page');
      expect(missing.status).toBe(404);
      expect(missing.html).toContain('<html lang="fr">');
      expect(missing.html).toContain(MESSAGES.fr['ui.error.title.404']);
      const page = await w.get('/web/sign-in');
      expect(page.headers['content-security-policy']).toMatch(
        /script-src 'self'; style-src 'self'/,
      );
      const css = /href="(\/web\/assets\/[0-9a-f]{12}\/web\.css)"/.exec(page.html)![1];
      const asset = await t.app.inject({ method: 'GET', url: css });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-type']).toBe('text/css; charset=utf-8');
      const api = await t.app.inject({ method: 'GET', url: '/health' });
      expect(api.headers['content-security-policy']).toMatch(/^default-src 'none'/);
      expect((await t.app.inject({ method: 'GET', url: '/' })).headers.location).toBe('/web/');
    });

    it('the Spanish interface shows no English string on the pages of this part', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      await t.db.query(`UPDATE users SET language = 'es' WHERE id = $1`, [user.id]);
      const englishOnly = Object.entries(MESSAGES.en)
        .filter(([key]) => /^(ui|status|urgency|outcome|tlp)\./.test(key))
        .filter(([key, value]) => MESSAGES.es[key] !== value && value.length > 3)
        .map(([, value]) => value);
      const w = new WebClient(t.app, { 'accept-language': 'es' });
      const pages = [await w.get('/web/sign-in')];
      await w.post('/web/sign-in', { email: user.email, password: user.password });
      const created = await w
        .get('/web/cases/new')
        .then(() => w.post('/web/cases', { ...FORM, title: 'Caso en español' }));
      const id = caseIdOf(created.headers.location);
      pages.push(
        await w.get('/web/cases'),
        await w.get('/web/cases/new'),
        await w.get(`/web/cases/${id}`),
      );
      await w.post(`/web/cases/${id}/events`, {
        type: 'platform_responded',
        outcome: 'account_suspended',
      });
      pages.push(await w.get(`/web/cases/${id}`), await w.get('/web/missing'));
      pages.push(await w.post('/web/cases', { ...FORM, title: '' }));
      for (const page of pages) {
        expect(page.html).toContain('<html lang="es">');
        // Proper names (platforms, their channels and companies) are no English text.
        const text = PROPER_NAMES.reduce(
          (html, name) => html.split(name).join(' '),
          page.html.replace(/<[^>]+>/g, ' '),
        );
        // Whole words only: "Period" is no finding inside the Spanish "Periodistas".
        const found = englishOnly.filter((s) =>
          new RegExp(
            `(?<![\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`,
            'u',
          ).test(text),
        );
        expect(found).toEqual([]);
      }
    });
  });
});
