import { createCommunity, createUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

// Its own file: @nestjs/passport registers the 'jwt' and 'api-token' strategies on the
// process-wide passport instance, so a second app created in this file would authenticate the
// first app's bearer tokens against its own database (401), and after closing it, against a
// destroyed pool (500). Nothing in src/web is shared between apps (registerWeb's state lives in
// its plugin; assetUrls is the same for every app); production runs one app per process.
describe('web interface behind TLS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: 'https://tracker.example.org' });
  });
  afterAll(() => t.close());

  it('marks the session and pre-session cookies Secure', async () => {
    const user = await createUser(t.app, (await createCommunity(t.app)).a.id, 'member');
    const w = new WebClient(t.app);
    const page = await w.get('/web/sign-in');
    expect([page.headers['set-cookie']].flat().join('\n')).toMatch(
      /^et_pre=[^;]+; Path=\/web; HttpOnly; SameSite=Strict; Secure$/m,
    );
    const answer = await w.post('/web/sign-in', { email: user.email, password: user.password });
    expect(answer.status).toBe(303);
    expect([answer.headers['set-cookie']].flat().join('\n')).toMatch(
      /^et_session=[^;]+; Path=\/web; HttpOnly; SameSite=Strict; Secure$/m,
    );
  });
});
