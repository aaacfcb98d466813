import { createCommunity, createUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

// Its own file: a second app in the same jest worker would share Nest's static logger.
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
