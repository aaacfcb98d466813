import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

type Community = Awaited<ReturnType<typeof createCommunity>>;

/*
 * Findings of the web interface's security review, one describe per fix: hostile input that
 * must be a 4xx page (never a 500), and session rules.
 */
describe('web: hardening', () => {
  let t: TestApp;
  let c: Community;

  const signedIn = (user: TestUser) => WebClient.signedIn(t.app, user);
  const language = async (id: string) =>
    (
      (await t.db.query('SELECT language FROM users WHERE id = $1', [id])) as {
        language: string;
      }[]
    )[0].language;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('CSRF field', () => {
    it('a field as long as the token in characters but not in bytes is a 403 page, not a 500', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const w = await signedIn(user);
      const length = w.csrfToken()!.length;
      for (const forged of [`é${'a'.repeat(length - 1)}`, '€'.repeat(length)]) {
        const answer = await w.post('/web/settings', {
          _csrf: forged,
          language: 'es',
          timezone: 'UTC',
        });
        expect(answer.status).toBe(403);
        expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      }
      await expect(language(user.id)).resolves.toBe('en');
    });
  });

  describe('NUL characters in forms and query strings', () => {
    it('are a 400 page before any service sees them (PostgreSQL refuses NUL: it was a 500)', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const anonymous = new WebClient(t.app);
      await anonymous.get('/web/sign-in');
      const signIn = await anonymous.post('/web/sign-in', {
        email: 'a\u0000b@example.org',
        password: 'not-the-password-at-all',
      });
      expect(signIn.status).toBe(400);
      expect(signIn.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(signIn.headers['cache-control']).toBe('no-store');
      const w = await signedIn(user);
      expect((await w.get('/web/partners?platform=%00&country=BO')).status).toBe(400);
      expect(
        (await w.get('/web/contacts?platform=facebook&country=BO&language=e%00s')).status,
      ).toBe(400);
      await w.get('/web/settings');
      const saved = await w.post('/web/settings', { language: 'es\u0000', timezone: 'UTC' });
      expect(saved.status).toBe(400);
      await expect(language(user.id)).resolves.toBe('en');
    });
  });

  describe('password change', () => {
    it("ends the user's web sessions (a stolen session cookie must not outlive the password)", async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const other = await createUser(t.app, c.a.id, 'member');
      const [laptop, phone, colleague] = [
        await signedIn(user),
        await signedIn(user),
        await signedIn(other),
      ];
      const changed = await call(t.app, 'POST', '/v1/me/password', {
        token: user.token,
        body: { currentPassword: user.password, newPassword: 'a-brand-new-long-passphrase' },
      });
      expect(changed.status).toBe(204);
      for (const w of [laptop, phone]) {
        const page = await w.get('/web/cases');
        expect(page.status).toBe(303);
        expect(page.headers.location).toBe('/web/sign-in');
      }
      expect((await colleague.get('/web/cases')).status).toBe(200);
      const sessions = (await t.db.query(
        'SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1',
        [user.id],
      )) as [{ n: number }];
      expect(sessions[0].n).toBe(0);
      // The new password opens a new session.
      expect(
        (await signedIn({ ...user, password: 'a-brand-new-long-passphrase' })).last!.status,
      ).toBe(200);
    });
  });

  describe('signing in again', () => {
    it('ends the session the browser held before (no orphan session stays valid)', async () => {
      const first = await createUser(t.app, c.a.id, 'member');
      const second = await createUser(t.app, c.a.id, 'member');
      const w = await signedIn(first);
      const before = w.cookies.get('et_session')!;
      // A sign-in form left open in another tab, posted with the session's CSRF token.
      const again = await w.post('/web/sign-in', {
        email: second.email,
        password: second.password,
      });
      expect(again.status).toBe(303);
      expect(w.cookies.get('et_session')).not.toBe(before);
      const stale = await t.app.inject({
        method: 'GET',
        url: '/web/cases',
        headers: { cookie: `et_session=${before}` },
      });
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toBe('/web/sign-in');
      const left = (await t.db.query(
        'SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1',
        [first.id],
      )) as [{ n: number }];
      expect(left[0].n).toBe(0);
    });
  });

  describe('sessions that can no longer be used', () => {
    it('are deleted at the next sign-in, idle ones included, and the others kept', async () => {
      const idle = await createUser(t.app, c.a.id, 'member');
      const fresh = await createUser(t.app, c.a.id, 'member');
      await signedIn(idle);
      t.clock.advance(61 * 60_000); // past the 60 minutes of idleness, not the 12 h end
      try {
        const active = await signedIn(fresh);
        const rows = (await t.db.query('SELECT user_id FROM web_sessions WHERE user_id = ANY($1)', [
          [idle.id, fresh.id],
        ])) as { user_id: string }[];
        expect(rows.map((r) => r.user_id)).toEqual([fresh.id]);
        expect((await active.get('/web/cases')).status).toBe(200);
      } finally {
        t.clock.advance(-61 * 60_000);
      }
    });
  });
});
