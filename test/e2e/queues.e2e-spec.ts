import { createCase } from '../factories/case.factory';
import { createCommunity } from '../factories/community.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

interface QueueReport {
  name: string;
  counts: Record<string, number>;
  latenessSeconds: number;
  backlog: boolean;
  recentFailures: unknown[];
}

/**
 * The API role runs no worker, so a deadline that has passed waits in the queue: exactly the
 * backlog the monitor must report (alert threshold 1 s here).
 */
describe('queue monitor: GET /v1/admin/queues and readiness', () => {
  let t: TestApp;
  let community: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp({ QUEUE_LATENESS_ALERT_SECONDS: '1' });
    community = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  it('is for the admin of the community only', async () => {
    expectProblem(await call(t.app, 'GET', '/v1/admin/queues'), 401);
    for (const role of ['orgAdmin', 'member', 'viewer'] as const) {
      const answer = await call(t.app, 'GET', '/v1/admin/queues', {
        token: community.inA[role].token,
      });
      expect({ role, status: answer.status }).toEqual({ role, status: 403 });
      expectProblem(answer, 403);
    }
  });

  it('reports every queue; a job waiting past the alert shows as backlog there and in readiness', async () => {
    const before = await call<{ data: QueueReport[] }>(t.app, 'GET', '/v1/admin/queues', {
      token: community.admin.token,
    });
    expect(before.status).toBe(200);
    expect(before.body.data.map((q) => q.name).sort()).toEqual([
      'contacts',
      'deadlines',
      'notifications',
      'patterns',
      'reports',
      'retention',
    ]);
    const ready = await call(t.app, 'GET', '/health');
    expect(ready.body).toMatchObject({ status: 'ok', checks: { queues: 'ok' } });

    // Escalated in March: its deadline job is due at once, and no worker takes it.
    await createCase(t.app, community.inA.member.token);
    await new Promise((r) => setTimeout(r, 2500));
    const after = await call<{ data: QueueReport[] }>(t.app, 'GET', '/v1/admin/queues', {
      token: community.admin.token,
    });
    const deadlines = after.body.data.find((q) => q.name === 'deadlines')!;
    expect(deadlines.counts.waiting).toBe(1);
    expect(deadlines.latenessSeconds).toBeGreaterThanOrEqual(2);
    expect(deadlines.backlog).toBe(true);
    expect(after.body.data.find((q) => q.name === 'contacts')!.backlog).toBe(false);
    const degraded = await call(t.app, 'GET', '/health');
    // Still 200: the API serves; taking it out of the load balancer would not help workers.
    expect(degraded.status).toBe(200);
    expect(degraded.body).toEqual({
      status: 'degraded',
      checks: { postgres: 'up', redis: 'up', queues: 'backlog' },
    });
  });
});
