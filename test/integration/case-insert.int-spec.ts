import { randomUUID } from 'node:crypto';
import { AuditRow } from '../../src/audit/audit.service';
import { CasesRepository, NewCase } from '../../src/cases/cases.repository';
import { ServiceUnavailableError } from '../../src/common/errors/domain-error';
import { initialState } from '../../src/cases/case-status.machine';
import { createOrganization, createUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The case insert on real PostgreSQL, without HTTP: cases logged at the same moment share one
 * statement (group commit). What each case wrote is read back with plain SQL, never through the
 * repository; a group holding one bad case writes every other case and refuses only that one.
 */
describe('CasesRepository.insert: cases logged together (real PostgreSQL, no HTTP)', () => {
  let t: TestApp;
  let repo: CasesRepository;
  let organizationId: string;
  let userId: string;
  let platformId: string;
  let channelId: string;

  beforeAll(async () => {
    t = await createTestApp();
    repo = t.app.get(CasesRepository);
    organizationId = (await createOrganization(t.app)).id;
    userId = (await createUser(t.app, organizationId, 'member')).id;
    [{ platform_id: platformId, id: channelId }] = await t.db.query(
      `SELECT ch.platform_id, ch.id FROM channels ch JOIN platforms p ON p.id = ch.platform_id
        WHERE p.code = 'facebook' AND ch.code = 'trusted_partner'`,
    );
  });
  afterAll(() => t?.close());

  /** Case number `n`: 1 or 2 events, n % 3 items, 1 indicator, a key when n is even. */
  function newCase(n: number, overrides: Partial<NewCase> = {}): NewCase {
    const id = randomUUID();
    const now = new Date();
    const escalated = n % 2 === 1;
    const audit: AuditRow = {
      action: 'case.created',
      actorUserId: userId,
      organizationId,
      targetType: 'case',
      targetId: id,
      ip: `10.0.${Math.floor(n / 250)}.${n % 250}`,
      requestId: `batch-${n}`,
      details: {},
    };
    return {
      id,
      year: 2026,
      organizationId,
      createdBy: userId,
      platformId,
      channelId,
      contactId: null,
      ownerId: userId,
      title: `Case ${n}`,
      summary: `Summary of case ${n}`,
      categoryCode: 'doxxing',
      subcategoryCode: null,
      targetGroups: n % 2 === 0 ? ['women'] : [],
      country: 'BO',
      contentLanguage: 'es',
      urgency: 'normal',
      tlp: 'AMBER+STRICT',
      sharedOrganizationIds: [],
      sharedUserIds: [],
      consentToSharePattern: false,
      platformReference: escalated ? `REF-${n}` : null,
      state: escalated
        ? {
            ...initialState(),
            status: 'escalated',
            escalatedAt: now,
            dueAt: new Date(+now + 864e5),
          }
        : initialState(),
      now,
      events: [
        { type: 'created', occurredAt: now, statusAfter: 'draft' },
        ...(escalated
          ? [{ type: 'escalated' as const, occurredAt: now, statusAfter: 'escalated' as const }]
          : []),
      ],
      items: Array.from({ length: n % 3 }, (_, i) => ({
        url: `https://facebook.com/posts/${n}-${i}`,
        kind: 'post' as const,
        contentSha256: null,
        capturedAt: null,
      })),
      indicators: [{ kind: 'account_handle', value: `@attacker_${n}`, valueHash: `hash-${n}` }],
      idempotency: n % 2 === 0 ? { key: `key-${id}`, requestHash: `h${n}` } : undefined,
      audit,
      ...overrides,
    };
  }

  /** What the database holds for a case, read with plain SQL. */
  async function written(c: NewCase) {
    const [row] = await t.db.query(
      `SELECT reference, status, owner_id, platform_reference, target_groups,
        (SELECT array_agg(type::text ORDER BY seq) FROM case_events WHERE case_id = $1) AS events,
        (SELECT count(*)::int FROM case_items WHERE case_id = $1) AS items,
        (SELECT count(*)::int FROM case_indicators WHERE case_id = $1) AS indicators,
        (SELECT count(*)::int FROM idempotency_keys WHERE case_id = $1) AS keys,
        (SELECT count(*)::int FROM audit_entries WHERE target_id = $1 AND action = 'case.created'
           AND request_id = $2 AND host(ip) = $3) AS audit
       FROM cases WHERE id = $1`,
      [c.id, c.audit!.requestId, c.audit!.ip],
    );
    return row as
      | {
          reference: string;
          status: string;
          owner_id: string;
          platform_reference: string | null;
          target_groups: string[];
          events: string[];
          items: number;
          indicators: number;
          keys: number;
          audit: number;
        }
      | undefined;
  }

  it('writes every case of a burst with all it carries, in fewer statements than cases', async () => {
    const cases = Array.from({ length: 40 }, (_, i) => newCase(i + 1));
    const statements = jest.spyOn(repo, 'insertMany');
    const references = await Promise.all(cases.map((c) => repo.insert(c)));
    const calls = statements.mock.calls.length;
    statements.mockRestore();

    expect(new Set(references).size).toBe(40);
    expect(calls).toBeLessThan(40);
    for (const [i, c] of cases.entries()) {
      const n = i + 1;
      const row = await written(c);
      expect(row).toEqual({
        reference: references[i],
        status: n % 2 === 1 ? 'escalated' : 'draft',
        owner_id: userId,
        platform_reference: n % 2 === 1 ? `REF-${n}` : null,
        target_groups: n % 2 === 0 ? ['women'] : [],
        events: n % 2 === 1 ? ['created', 'escalated'] : ['created'],
        items: n % 3,
        indicators: 1,
        keys: n % 2 === 0 ? 1 : 0,
        audit: 1,
      });
      expect(row!.reference).toMatch(/^ESC-2026-\d{6,}$/);
    }
  });

  it('refuses only the bad case of a group: the others are written, nothing of it is', async () => {
    // Two cases first hold both statements, so the next ten wait and go as one group.
    const ahead = [newCase(101), newCase(102)];
    const group = Array.from({ length: 10 }, (_, i) => newCase(103 + i));
    const bad = group[4];
    bad.channelId = randomUUID();
    const statements = jest.spyOn(repo, 'insertMany');
    const outcomes = await Promise.allSettled([...ahead, ...group].map((c) => repo.insert(c)));
    const groups = statements.mock.calls.map(([cases]) => cases);
    statements.mockRestore();
    // The bad case went in a group first, then alone.
    expect(groups.some((cases) => cases.length > 1 && cases.includes(bad))).toBe(true);
    expect(groups.some((cases) => cases.length === 1 && cases[0] === bad)).toBe(true);

    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    expect(refused).toEqual([2 + 4]);
    expect(String((outcomes[6] as PromiseRejectedResult).reason)).toMatch(/fk_cases_channel/);
    expect(await written(bad)).toBeUndefined();
    const [orphans] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM case_events WHERE case_id = $1)
            + (SELECT count(*)::int FROM case_items WHERE case_id = $1)
            + (SELECT count(*)::int FROM case_indicators WHERE case_id = $1)
            + (SELECT count(*)::int FROM idempotency_keys WHERE case_id = $1)
            + (SELECT count(*)::int FROM audit_entries WHERE target_id = $1) AS n`,
      [bad.id],
    );
    expect(orphans.n).toBe(0);
    for (const c of [...ahead, ...group.filter((c) => c !== bad)]) {
      expect((await written(c))?.audit).toBe(1);
    }
  });

  it('is a statement prepared once per connection, whatever the number of cases', async () => {
    const prepared = await t.db.transaction(async (em) => {
      await repo.insertMany([newCase(301)], em);
      await repo.insertMany([newCase(302), newCase(303), newCase(304)], em);
      return em.query(
        `SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO cases%'`,
      );
    });
    expect(prepared).toHaveLength(1);
    expect(prepared[0].name).toMatch(/^et_[0-9a-f]{24}$/);
  });

  it('refuses with 503 a case that waited 5 s for a statement (two held by a lock)', async () => {
    // A transaction holding the creator's row: the foreign key checks of both statements wait.
    const lock = t.db.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const held = [newCase(401), newCase(402)];
    const late = newCase(403);
    const outcomes = [...held, late].map((c) => repo.insert(c));
    const refused = await outcomes[2].then(
      () => null,
      (error: unknown) => error,
    );
    await lock.rollbackTransaction();
    await lock.release();
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect((refused as ServiceUnavailableError).status).toBe(503);
    await expect(Promise.all(outcomes.slice(0, 2))).resolves.toHaveLength(2);
    expect(await written(late)).toBeUndefined();
  }, 20_000);

  it('lets the first of two cases with one idempotency key in, the other gets the conflict', async () => {
    const ahead = [newCase(201), newCase(202)];
    const first = newCase(204);
    const second = newCase(206, { idempotency: first.idempotency });
    const statements = jest.spyOn(repo, 'insertMany');
    const outcomes = await Promise.allSettled([...ahead, first, second].map((c) => repo.insert(c)));
    const groups = statements.mock.calls.map(([cases]) => cases);
    statements.mockRestore();
    // They never share a statement: the later one waits for the next, where it fails alone.
    expect(groups.some((cases) => cases.includes(first) && cases.includes(second))).toBe(false);
    expect(groups).toContainEqual([second]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(/pk_idempotency_keys/);
    expect(await written(second)).toBeUndefined();
    expect((await written(first))?.keys).toBe(1);
  });
});
