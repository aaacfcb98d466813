import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createWorkerContext } from '../../src/app.factory';
import { ValidationFailedError } from '../../src/common/errors/domain-error';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { DepartureService } from '../../src/departure/departure.service';
import { RetentionProcessor } from '../../src/retention/retention.processor';
import { AdminBootstrapService } from '../../src/users/admin-bootstrap.service';
import { call, expectProblem } from '../support/http';
import { TEST_REDIS_URL } from '../support/env';
import {
  createTestApp,
  TEST_INDICATOR_HASH_KEY,
  TEST_JWT_SECRET,
  TestApp,
} from '../support/test-app';
import { cloneTemplateDatabase, dropDatabase } from '../support/test-db';

const silent = () => createRootLogger('silent', new Writable({ write: (_c, _e, done) => done() }));

describe('start-up', () => {
  it('boots the worker role without an HTTP server and shuts down cleanly', async () => {
    const db = await cloneTemplateDatabase();
    try {
      const { config } = loadConfig({
        NODE_ENV: 'test',
        APP_ROLE: 'worker',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
        JWT_SECRET: TEST_JWT_SECRET,
        INDICATOR_HASH_KEY: TEST_INDICATOR_HASH_KEY,
      });
      const worker = await createWorkerContext({ config, logger: silent() });
      expect(worker.get(AdminBootstrapService)).toBeInstanceOf(AdminBootstrapService);
      // The reports' jobs build an organisation's archive and erasure here: their builders too.
      expect(worker.get(DepartureService)).toBeInstanceOf(DepartureService);
      expect(worker.get(RetentionProcessor)).toBeInstanceOf(RetentionProcessor);
      await expect(worker.close()).resolves.toBeUndefined();
    } finally {
      await dropDatabase(db.name);
    }
  });

  describe('first admin', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('refuses an invalid admin and writes nothing', async () => {
      const bootstrap = t.app.get(AdminBootstrapService);
      await expect(
        bootstrap.createAdmin(
          { email: 'not-an-email', password: 'short', organizationSlug: 'coordination' },
          true,
        ),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(t.db.query('SELECT count(*)::int AS n FROM organizations')).resolves.toEqual([
        { n: 0 },
      ]);
    });

    it('creates exactly one admin and its organisation when replicas start together, then does nothing', async () => {
      const bootstrap = t.app.get(AdminBootstrapService);
      const input = {
        email: 'First.Admin@Example.org',
        password: 'a-long-admin-password',
        organizationSlug: 'coordination',
      };
      const outcomes = await Promise.all([1, 2, 3].map(() => bootstrap.createAdmin(input, true)));
      expect(outcomes.sort()).toEqual(['created', 'skipped', 'skipped']);
      await expect(t.db.query(`SELECT email, role FROM users`)).resolves.toEqual([
        { email: 'first.admin@example.org', role: 'admin' },
      ]);
      await expect(t.db.query(`SELECT slug FROM organizations`)).resolves.toEqual([
        { slug: 'coordination' },
      ]);
      const login = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: input.email, password: input.password },
      });
      expect(login.status).toBe(200);
    });
  });

  it('reports Redis down in readiness (503) while liveness and PostgreSQL stay up', async () => {
    // The API role: workers have nothing to do without Redis.
    const t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1', APP_ROLE: 'api' });
    try {
      const ready = await call(t.app, 'GET', '/health');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'unavailable',
        checks: { postgres: 'up', redis: 'down', queues: 'unknown' },
      });
      await expect(call(t.app, 'GET', '/health/live')).resolves.toMatchObject({ status: 200 });
      // Login is not blocked by a throttle that cannot be reached; it still checks the password.
      expectProblem(
        await call(t.app, 'POST', '/v1/auth/login', {
          body: { email: 'x@example.org', password: 'wrong' },
        }),
        401,
      );
    } finally {
      await t.close();
    }
  });
});
