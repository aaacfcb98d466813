import { randomBytes, randomUUID } from 'node:crypto';
import { CaseEventPageResponseDto } from '../../src/cases/dto/case-event.dto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { IndicatorMatchResponseDto } from '../../src/cases/dto/indicator-match.dto';
import { Tlp, TLP_LEVELS } from '../../src/common/sharing/tlp';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { countRows, Page } from '../support/checks';
import { Answer, call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The TLP 2.0 sharing rule of cases (DESIGN.md, "Sharing"), checked as a generated matrix:
 * every TLP level x every kind of actor x every read (and the update) path, through HTTP.
 * The expectation of each cell comes from `expected()`, which encodes the design's rules;
 * nothing below is a hand-picked list of cells.
 */

const hex = () => randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// Who: one organisation per role in the story.
// A owns every matrix case; B has the user named on the RED case; C is the organisation named on
// the AMBER case; D is never named; the community admin sits in a coordination organisation.
// ---------------------------------------------------------------------------------------------

type OrgKey = 'A' | 'B' | 'C' | 'D' | 'coordination';

const ACTORS = [
  'creator',
  'memberOfA',
  'viewerOfA',
  'userOfB',
  'memberOfC',
  'memberOfD',
  'communityAdmin',
] as const;
type ActorKey = (typeof ACTORS)[number];

const ACTOR_ORG: Record<ActorKey, OrgKey> = {
  creator: 'A',
  memberOfA: 'A',
  viewerOfA: 'A',
  userOfB: 'B',
  memberOfC: 'C',
  memberOfD: 'D',
  communityAdmin: 'coordination',
};

const ACTOR_ROLE = {
  creator: 'member',
  memberOfA: 'member',
  viewerOfA: 'viewer',
  userOfB: 'member',
  memberOfC: 'member',
  memberOfD: 'member',
  communityAdmin: 'admin',
} as const satisfies Record<ActorKey, 'admin' | 'member' | 'viewer'>;

/** Who each matrix case names: AMBER names org C, RED names the user of B; nothing else. */
const NAMED_ORGS: Record<Tlp, OrgKey[]> = {
  RED: [],
  'AMBER+STRICT': [],
  AMBER: ['C'],
  GREEN: [],
  CLEAR: [],
};
const NAMED_USERS: Record<Tlp, ActorKey[]> = {
  RED: ['userOfB'],
  'AMBER+STRICT': [],
  AMBER: [],
  GREEN: [],
  CLEAR: [],
};

function actorLabel(tlp: Tlp, actor: ActorKey): string {
  switch (actor) {
    case 'creator':
      return 'creator (member of A)';
    case 'memberOfA':
      return 'other member of A';
    case 'viewerOfA':
      return 'viewer of A';
    case 'userOfB':
      return NAMED_USERS[tlp].includes('userOfB')
        ? 'named user (of B)'
        : 'member of another org (B, not named)';
    case 'memberOfC':
      return NAMED_ORGS[tlp].includes('C')
        ? 'member of named org C'
        : 'member of another org (C, not named)';
    case 'memberOfD':
      return 'member of another org (D)';
    case 'communityAdmin':
      return 'community admin';
  }
}

// ---------------------------------------------------------------------------------------------
// The rule, from the design.
// ---------------------------------------------------------------------------------------------

const PATHS = ['get', 'list', 'count', 'search', 'match', 'events', 'update'] as const;
type PathKey = (typeof PATHS)[number];

type Outcome =
  /** get/events 200, listed, counted, found by reference, listed in matches. */
  | 'visible'
  /** get/events/update 404, absent from list and search, not counted, not listed in matches. */
  | 'invisible'
  /** Indicator matches only list cases of OTHER organisations than the caller's (by design). */
  | 'own organisation, not listed'
  /**
   * Indicator matches answer only for a value the caller's organisation logged itself: for a
   * handle only A logged, the answer of a value nobody logged, whatever the caller may see.
   */
  | 'not logged by the caller, nothing'
  /** PATCH 200. */
  | 'allowed'
  /** PATCH 403: visible, but not the caller's to change. */
  | 'forbidden';

/** DESIGN.md: RED creator + named users; AMBER+STRICT org; AMBER org + named orgs; GREEN/CLEAR all. */
function sees(tlp: Tlp, actor: ActorKey): boolean {
  const org = ACTOR_ORG[actor];
  switch (tlp) {
    case 'RED':
      return actor === 'creator' || NAMED_USERS[tlp].includes(actor);
    case 'AMBER+STRICT':
      return org === 'A';
    case 'AMBER':
      return org === 'A' || NAMED_ORGS[tlp].includes(org);
    case 'GREEN':
    case 'CLEAR':
      return true;
    default: {
      const unknown: never = tlp;
      throw new Error(`no rule for TLP ${String(unknown)}`);
    }
  }
}

/**
 * Who may change a visible case: never a viewer; on RED the creator and the named users; on every
 * other level the (non-viewer) members of the owning organisation only.
 */
function mayChange(tlp: Tlp, actor: ActorKey): boolean {
  if (ACTOR_ROLE[actor] === 'viewer') return false;
  if (tlp === 'RED') return actor === 'creator' || NAMED_USERS[tlp].includes(actor);
  return ACTOR_ORG[actor] === 'A';
}

function expected(tlp: Tlp, actor: ActorKey, path: PathKey): Outcome {
  const visible = sees(tlp, actor);
  switch (path) {
    case 'get':
    case 'list':
    case 'count':
    case 'search':
    case 'events':
      return visible ? 'visible' : 'invisible';
    case 'match':
      // "organisations and cases other than the caller's own": a caller in A never gets A's case
      // in a match answer, however visible it is to them. That is the design, not a leak rule.
      if (ACTOR_ORG[actor] === 'A') return 'own organisation, not listed';
      return 'not logged by the caller, nothing';
    case 'update':
      if (!visible) return 'invisible';
      return mayChange(tlp, actor) ? 'allowed' : 'forbidden';
  }
}

/**
 * The counts of a match answer for the one matrix case carrying the handle: only A logged it, so
 * A's callers get nothing of their own organisation and anyone else gets nothing at all (see
 * 'indicator matches' below for values both sides logged).
 */
function expectedMatchCounts(): number {
  return 0;
}

interface Cell {
  tlp: Tlp;
  actor: ActorKey;
  path: PathKey;
  outcome: Outcome;
}

const CELLS: [string, Cell][] = TLP_LEVELS.flatMap((tlp) =>
  ACTORS.flatMap((actor) =>
    PATHS.map((path): [string, Cell] => {
      const outcome = expected(tlp, actor, path);
      return [
        `${tlp} x ${actorLabel(tlp, actor)} x ${path} -> ${outcome}`,
        { tlp, actor, path, outcome },
      ];
    }),
  ),
);

// ---------------------------------------------------------------------------------------------

interface MatrixCase {
  id: string;
  reference: string;
  /** A word only this case's title and summary carry (for `q`). */
  tag: string;
  /** An account handle only this case carries. */
  handle: string;
}

interface CaseRowSnapshot {
  title: string;
  summary: string;
  tlp: string;
  shared_organization_ids: string[];
  shared_user_ids: string[];
  version: number;
  updated_at: Date;
}

describe('cases: TLP sharing matrix (e2e)', () => {
  let t: TestApp;
  const orgs = {} as Record<OrgKey, OrganizationResponseDto>;
  const users = {} as Record<ActorKey, TestUser>;
  const cases = {} as Record<Tlp, MatrixCase>;
  /** What a case that does not exist answers, per path: an invisible one must look the same. */
  const missing = {} as Record<'get' | 'events' | 'update', Record<string, unknown>>;
  const run = hex();

  beforeAll(async () => {
    t = await createTestApp();
    for (const key of ['coordination', 'A', 'B', 'C', 'D'] as const) {
      orgs[key] =
        key === 'coordination'
          ? await createOrganization(t.app, { countries: [], languages: ['en'] })
          : await createOrganization(t.app);
    }
    const created = await Promise.all(
      ACTORS.map((actor) => createUser(t.app, orgs[ACTOR_ORG[actor]].id, ACTOR_ROLE[actor])),
    );
    ACTORS.forEach((actor, i) => (users[actor] = created[i]));

    for (const tlp of TLP_LEVELS) {
      const slug = tlp.toLowerCase().replace(/[^a-z]/g, '');
      const tag = `smx${run}${slug}`;
      const handle = `sh_${run}_${slug}`.slice(0, 30);
      const c = await createCase(t.app, users.creator.token, {
        title: `Sharing matrix ${tag}`,
        summary: `Survivor account ${tag}: threats and a leaked address.`,
        tlp,
        shareWithOrganizationIds: NAMED_ORGS[tlp].length
          ? NAMED_ORGS[tlp].map((o) => orgs[o].id)
          : undefined,
        shareWithUserIds: NAMED_USERS[tlp].length
          ? NAMED_USERS[tlp].map((u) => users[u].id)
          : undefined,
        indicators: [{ kind: 'account_handle', value: `@${handle}` }],
      });
      expect({
        tlp: c.tlp,
        organizationId: c.organizationId,
        shareWithOrganizationIds: c.shareWithOrganizationIds,
        shareWithUserIds: c.shareWithUserIds,
      }).toEqual({
        tlp,
        organizationId: orgs.A.id,
        shareWithOrganizationIds: NAMED_ORGS[tlp].map((o) => orgs[o].id),
        shareWithUserIds: NAMED_USERS[tlp].map((u) => users[u].id),
      });
      cases[tlp] = { id: c.id, reference: c.reference, tag, handle };
    }

    const nobody = randomUUID();
    const token = users.creator.token;
    missing.get = problemOf(await call(t.app, 'GET', `/v1/cases/${nobody}`, { token }), 404);
    missing.events = problemOf(
      await call(t.app, 'GET', `/v1/cases/${nobody}/events`, { token }),
      404,
    );
    missing.update = problemOf(
      await call(t.app, 'PATCH', `/v1/cases/${nobody}`, {
        token,
        headers: { 'if-match': '"1"' },
        body: { title: 'Nothing here' },
      }),
      404,
    );
  });
  afterAll(() => t?.close());

  /** The problem of a refusal, without the per-request id. */
  function problemOf(answer: Answer<unknown>, status: number): Record<string, unknown> {
    const { requestId: _requestId, ...rest } = expectProblem(answer, status);
    return rest;
  }

  async function snapshot(id: string): Promise<CaseRowSnapshot> {
    const rows: CaseRowSnapshot[] = await t.db.query(
      `SELECT title, summary, tlp, shared_organization_ids, shared_user_ids, version, updated_at
       FROM cases WHERE id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  /**
   * An invisible case answers exactly what a case that does not exist answers, and nothing of it
   * (title, summary, reference, indicator) shows in the answer.
   */
  async function expectInvisible(
    answer: Answer<unknown>,
    c: MatrixCase,
    path: 'get' | 'events' | 'update',
  ): Promise<void> {
    expect(problemOf(answer, 404)).toEqual(missing[path]);
    expect(answer.headers.etag).toBeUndefined();
    const now = await snapshot(c.id);
    for (const secret of [now.title, now.summary, c.reference, c.tag, c.handle]) {
      expect(answer.text).not.toContain(secret);
    }
  }

  describe('generated matrix', () => {
    it('covers every TLP level x actor x path, with each expectation from the rule', () => {
      expect(CELLS).toHaveLength(TLP_LEVELS.length * ACTORS.length * PATHS.length);
      expect(new Set(CELLS.map(([name]) => name)).size).toBe(CELLS.length);
      // The rule is not vacuous: every outcome occurs.
      expect(new Set(CELLS.map(([, cell]) => cell.outcome))).toEqual(
        new Set<Outcome>([
          'visible',
          'invisible',
          'own organisation, not listed',
          'not logged by the caller, nothing',
          'allowed',
          'forbidden',
        ]),
      );
    });

    it.each<[string, Cell]>(CELLS)('%s', async (_name, { tlp, actor, path, outcome }) => {
      const c = cases[tlp];
      const token = users[actor].token;
      const visible = outcome === 'visible';
      switch (path) {
        case 'get': {
          const answer = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${c.id}`, { token });
          if (visible) {
            expect(answer.status).toBe(200);
            expect({ id: answer.body.id, reference: answer.body.reference }).toEqual({
              id: c.id,
              reference: c.reference,
            });
            expect(answer.body.tlp).toBe(tlp);
          } else {
            await expectInvisible(answer, c, 'get');
          }
          return;
        }
        case 'list': {
          const answer = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
            token,
            query: { q: c.tag },
          });
          expect(answer.status).toBe(200);
          expect(answer.body.data.map((x) => x.id)).toEqual(visible ? [c.id] : []);
          expect(answer.body.nextCursor).toBeNull();
          return;
        }
        case 'count': {
          const answer = await call(t.app, 'GET', '/v1/cases/count', {
            token,
            query: { q: c.tag },
          });
          expect(answer.status).toBe(200);
          expect(answer.body).toEqual({ count: visible ? 1 : 0 });
          return;
        }
        case 'search': {
          const answer = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
            token,
            query: { q: c.reference },
          });
          expect(answer.status).toBe(200);
          expect(answer.body.data.map((x) => x.id)).toEqual(visible ? [c.id] : []);
          if (!visible) expect(answer.text).not.toContain(c.tag);
          return;
        }
        case 'match': {
          const answer = await call<IndicatorMatchResponseDto>(
            t.app,
            'GET',
            '/v1/indicators/matches',
            { token, query: { kind: 'account_handle', value: `@${c.handle}` } },
          );
          expect(answer.status).toBe(200);
          const counted = expectedMatchCounts();
          expect(answer.body).toEqual({ organizations: counted, cases: counted, visible: [] });
          if (!visible) expect(answer.text).not.toContain(c.reference);
          return;
        }
        case 'events': {
          const answer = await call<CaseEventPageResponseDto>(
            t.app,
            'GET',
            `/v1/cases/${c.id}/events`,
            { token },
          );
          if (visible) {
            expect(answer.status).toBe(200);
            expect(answer.body.data.map((e) => e.type).sort()).toEqual(['created', 'escalated']);
          } else {
            await expectInvisible(answer, c, 'events');
          }
          return;
        }
        case 'update': {
          const before = await snapshot(c.id);
          const title = `Sharing matrix ${c.tag} edited by ${actor}`;
          const answer = await call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${c.id}`, {
            token,
            headers: { 'if-match': `"${before.version}"` },
            body: { title },
          });
          if (outcome === 'allowed') {
            expect(answer.status).toBe(200);
            expect({ title: answer.body.title, version: answer.body.version }).toEqual({
              title,
              version: before.version + 1,
            });
            expect(answer.headers.etag).toBe(`"${before.version + 1}"`);
            const after = await snapshot(c.id);
            expect({ title: after.title, version: after.version, tlp: after.tlp }).toEqual({
              title,
              version: before.version + 1,
              tlp,
            });
            return;
          }
          if (outcome === 'forbidden') {
            expectProblem(answer, 403);
          } else {
            expect(outcome).toBe('invisible');
            await expectInvisible(answer, c, 'update');
            // Neither a missing (428) nor a stale (412) If-Match may tell that the case exists.
            const variants: Record<string, string>[] = [
              {},
              { 'if-match': `"${before.version + 7}"` },
            ];
            for (const headers of variants) {
              const other = await call(t.app, 'PATCH', `/v1/cases/${c.id}`, {
                token,
                headers,
                body: { title },
              });
              await expectInvisible(other, c, 'update');
            }
          }
          expect(await snapshot(c.id)).toEqual(before);
          return;
        }
      }
    });
  });

  describe('indicator matches', () => {
    it('count other organisations’ cases (not RED ones hidden from the caller) and list only the visible', async () => {
      const shared = `sh_${run}_shared`;
      const indicators = [{ kind: 'account_handle', value: `@${shared}` }];
      const strictOfA = await createCase(t.app, users.creator.token, {
        tlp: 'AMBER+STRICT',
        indicators,
      });
      const greenOfC = await createCase(t.app, users.memberOfC.token, { tlp: 'GREEN', indicators });
      // A RED case of B that names nobody: only its creator may know it exists.
      const redOfB = await createCase(t.app, users.userOfB.token, { tlp: 'RED', indicators });
      const match = (actor: ActorKey, value: string) =>
        call<IndicatorMatchResponseDto>(t.app, 'GET', '/v1/indicators/matches', {
          token: users[actor].token,
          query: { kind: 'account_handle', value: `@${value}` },
        });
      const green = { id: greenOfC.id, reference: greenOfC.reference };

      // Before D logs the handle itself, D gets the answer of a value nobody logged.
      const unknown = await match('memberOfD', `sh_${run}_nobody`);
      const before = await match('memberOfD', shared);
      expect(before.body).toEqual({ organizations: 0, cases: 0, visible: [] });
      expect(before.text).toBe(unknown.text);
      // Each asker's organisation logs it too (one AMBER+STRICT case each).
      const strictOfD = await createCase(t.app, users.memberOfD.token, {
        tlp: 'AMBER+STRICT',
        indicators,
      });

      // From D: A's AMBER+STRICT and C's GREEN are counted, B's hidden RED is not.
      const fromD = await match('memberOfD', shared);
      expect(fromD.status).toBe(200);
      expect(fromD.body).toEqual({ organizations: 2, cases: 2, visible: [green] });
      expect(fromD.text).not.toContain(strictOfA.reference);
      expect(fromD.text).not.toContain(redOfB.reference);

      // From A: A's own case is not counted, D's strict one is (unlisted), B's RED is hidden.
      const fromA = await match('memberOfA', shared);
      expect(fromA.body).toEqual({ organizations: 2, cases: 2, visible: [green] });
      // The community admin is bound by TLP like anyone, and by the rule: its organisation has
      // not logged the handle.
      expect((await match('communityAdmin', shared)).body).toEqual({
        organizations: 0,
        cases: 0,
        visible: [],
      });
      await createCase(t.app, users.communityAdmin.token, { tlp: 'AMBER+STRICT', indicators });
      const fromAdmin = await match('communityAdmin', shared);
      expect(fromAdmin.body).toEqual({ organizations: 3, cases: 3, visible: [green] });
      // From B (who logged it in its RED case): its own case is not counted; A's, D's and the
      // coordination's strict ones are, unlisted.
      const fromB = await match('userOfB', shared);
      expect(fromB.body).toEqual({ organizations: 4, cases: 4, visible: [green] });
      expect(fromB.text).not.toContain(strictOfD.reference);

      // A RED case that names the caller is counted and listed; one that does not is neither.
      const onlyRed = `sh_${run}_onlyred`;
      const redIndicators = [{ kind: 'account_handle', value: `@${onlyRed}` }];
      const redNamingD = await createCase(t.app, users.userOfB.token, {
        tlp: 'RED',
        shareWithUserIds: [users.memberOfD.id],
        indicators: redIndicators,
      });
      await createCase(t.app, users.memberOfC.token, { tlp: 'RED', indicators: redIndicators });
      await createCase(t.app, users.memberOfD.token, {
        tlp: 'AMBER+STRICT',
        indicators: redIndicators,
      });
      expect((await match('memberOfD', onlyRed)).body).toEqual({
        organizations: 1,
        cases: 1,
        visible: [{ id: redNamingD.id, reference: redNamingD.reference }],
      });
      for (const actor of ['memberOfA', 'communityAdmin'] as const) {
        expect({ actor, body: (await match(actor, onlyRed)).body }).toEqual({
          actor,
          body: { organizations: 0, cases: 0, visible: [] },
        });
      }
    });
  });

  describe('changing the TLP', () => {
    it('AMBER+STRICT -> GREEN lets another organisation in; back to AMBER+STRICT shuts it out again', async () => {
      const tag = `smxflip${run}`;
      const c = await createCase(t.app, users.creator.token, {
        title: `Flip ${tag}`,
        tlp: 'AMBER+STRICT',
      });
      const outsider = users.memberOfD.token;
      const outsiderView = async () => ({
        get: (await call(t.app, 'GET', `/v1/cases/${c.id}`, { token: outsider })).status,
        list: (
          await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
            token: outsider,
            query: { q: tag },
          })
        ).body.data.map((x) => x.id),
        count: (await call(t.app, 'GET', '/v1/cases/count', { token: outsider, query: { q: tag } }))
          .body,
      });
      const patchTlp = async (tlp: Tlp) => {
        const { version } = await snapshot(c.id);
        return call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${c.id}`, {
          token: users.memberOfA.token,
          headers: { 'if-match': `"${version}"` },
          body: { tlp },
        });
      };

      expect(await outsiderView()).toEqual({ get: 404, list: [], count: { count: 0 } });

      const opened = await patchTlp('GREEN');
      expect(opened.status).toBe(200);
      expect({ tlp: opened.body.tlp, version: opened.body.version }).toEqual({
        tlp: 'GREEN',
        version: 2,
      });
      expect(await outsiderView()).toEqual({ get: 200, list: [c.id], count: { count: 1 } });

      const closed = await patchTlp('AMBER+STRICT');
      expect(closed.status).toBe(200);
      expect({ tlp: closed.body.tlp, version: closed.body.version }).toEqual({
        tlp: 'AMBER+STRICT',
        version: 3,
      });
      expect(await outsiderView()).toEqual({ get: 404, list: [], count: { count: 0 } });
      expect((await snapshot(c.id)).tlp).toBe('AMBER+STRICT');
    });

    it('nobody outside the owning organisation can change who sees a GREEN case, and trying writes nothing', async () => {
      const c = await createCase(t.app, users.creator.token, {
        title: `Green ${run} sharing`,
        tlp: 'GREEN',
      });
      const before = await snapshot(c.id);
      for (const actor of ['memberOfD', 'memberOfC', 'userOfB', 'communityAdmin'] as const) {
        const attempts: Record<string, unknown>[] = [
          { tlp: 'RED', shareWithUserIds: [users[actor].id] },
          { tlp: 'AMBER', shareWithOrganizationIds: [users[actor].organizationId] },
          { tlp: 'CLEAR' },
          { tlp: 'AMBER+STRICT', title: 'Taken over' },
        ];
        for (const body of attempts) {
          const answer = await call(t.app, 'PATCH', `/v1/cases/${c.id}`, {
            token: users[actor].token,
            headers: { 'if-match': `"${before.version}"` },
            body,
          });
          expect({ actor, body, status: answer.status }).toEqual({ actor, body, status: 403 });
          expectProblem(answer, 403);
        }
      }
      expect(await snapshot(c.id)).toEqual(before);
      expect(
        await countRows(
          t.db,
          `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'case.updated' AND target_id = $1`,
          [c.id],
        ),
      ).toBe(0);
      // Still GREEN: the outsider still reads it.
      expect(
        (await call(t.app, 'GET', `/v1/cases/${c.id}`, { token: users.memberOfD.token })).status,
      ).toBe(200);
    });
  });
});
