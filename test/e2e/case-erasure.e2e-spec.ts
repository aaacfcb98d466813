import { randomBytes } from 'node:crypto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { CampaignsService } from '../../src/patterns/campaigns.service';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Erasure of one case on a survivor's request (issue 20): who may erase, what goes, what the
 * case answers afterwards (410 to those who could see it, 404 to others), and that no GET route
 * of the OpenAPI document still shows it (the audit trail excepted: it keeps who erased which
 * reference when, by design).
 */

const unique = () => randomBytes(4).toString('hex');

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

describe('erasure of a case (DELETE /v1/cases/:id)', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  let memberC: TestUser;
  let erased: CaseResponseDto;
  let kept: CaseResponseDto;
  let handle: string;
  let calendarUrl: string;

  const count = async (sql: string, id: string) =>
    Number(((await t.db.query(sql, [id])) as { n: string }[])[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    const orgC = await createOrganization(t.app);
    memberC = await createUser(t.app, orgC.id, 'member');
    handle = `@erase_me_${unique()}`;
    // AMBER naming B: A and B see it. Consent, an indicator shared with organisation C (a
    // campaign), items, a note on its timeline and a running deadline.
    erased = await createCase(t.app, c.inA.member.token, {
      tlp: 'AMBER',
      shareWithOrganizationIds: [c.b.id],
      consentToSharePattern: true,
      indicators: [{ kind: 'account_handle', value: handle }],
    });
    kept = await createCase(t.app, c.inA.member.token, { consentToSharePattern: true });
    await createCase(t.app, memberC.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-04T10:00:00.000Z',
      indicators: [{ kind: 'account_handle', value: handle }],
    });
    const note = await call(t.app, 'POST', `/v1/cases/${erased.id}/events`, {
      token: c.inA.member.token,
      body: { type: 'note', note: 'Survivor called back.' },
    });
    expect(note.status).toBe(201);
    const feed = await call(t.app, 'POST', '/v1/calendar-tokens', {
      token: c.inA.member.token,
      body: { name: 'erasure feed' },
    });
    expect(feed.status).toBe(201);
    calendarUrl = feed.body.url as string;
    await t.app.get(PatternProjection).catchUp();
    await t.app.get(CampaignsService).scan();
  }, 60_000);
  afterAll(() => t.close());

  it('sees the case everywhere before (so the checks after can fail)', async () => {
    const campaigns = await call(t.app, 'GET', '/v1/patterns/campaigns', {
      token: c.inA.member.token,
    });
    expect(campaigns.body.data).toHaveLength(1);
    const feed = await call(t.app, 'GET', calendarUrl);
    expect(feed.text).toContain(erased.reference);
    const match = await call(t.app, 'GET', '/v1/indicators/matches', {
      token: memberC.token,
      query: { kind: 'account_handle', value: handle },
    });
    expect(match.body).toMatchObject({ organizations: 1, cases: 1 });
    expect(
      await count('SELECT count(*) AS n FROM pattern_records WHERE case_id = $1', erased.id),
    ).toBe(1);
  });

  it('refuses everyone but an org_admin of the owning organisation, and changes nothing', async () => {
    const tries = {
      member: c.inA.member,
      viewer: c.inA.viewer,
      otherMember: c.inB.member,
      otherOrgAdmin: c.inB.orgAdmin,
      admin: c.admin,
      outsider: memberC,
    };
    const statuses: Record<string, number> = {};
    for (const [key, user] of Object.entries(tries)) {
      const answer = await call(t.app, 'DELETE', `/v1/cases/${erased.id}`, { token: user.token });
      statuses[key] = answer.status;
      expectProblem(answer, answer.status);
    }
    // B sees the AMBER case (403); the admin and C do not (404, its existence not leaked).
    expect(statuses).toEqual({
      member: 403,
      viewer: 403,
      otherMember: 403,
      otherOrgAdmin: 403,
      admin: 404,
      outsider: 404,
    });
    expect((await call(t.app, 'DELETE', `/v1/cases/${erased.id}`)).status).toBe(401);
    expect(
      (await call(t.app, 'DELETE', '/v1/cases/not-a-uuid', { token: c.inA.orgAdmin.token })).status,
    ).toBe(400);
    const still = await call(t.app, 'GET', `/v1/cases/${erased.id}`, { token: c.inA.member.token });
    expect(still.status).toBe(200);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_entries WHERE action = 'case.erased' AND target_id = $1`,
        erased.id,
      ),
    ).toBe(0);
  });

  it('erases at once: content, timeline, items, indicators and pattern record go; an audit entry stays', async () => {
    // An archive of the organisation asked before: it holds the case's content until it expires.
    const archive = await call(t.app, 'POST', `/v1/organizations/${c.a.id}/archive`, {
      token: c.inA.orgAdmin.token,
      body: { format: 'json' },
    });
    expect(archive.status).toBe(202);
    const answer = await call(t.app, 'DELETE', `/v1/cases/${erased.id}`, {
      token: c.inA.orgAdmin.token,
    });
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 204, text: '' });

    const left = await t.db.query(
      `SELECT (SELECT count(*) FROM cases WHERE id = $1)::int AS cases,
              (SELECT count(*) FROM case_events WHERE case_id = $1)::int AS events,
              (SELECT count(*) FROM case_items WHERE case_id = $1)::int AS items,
              (SELECT count(*) FROM case_indicators WHERE case_id = $1)::int AS indicators,
              (SELECT count(*) FROM pattern_records WHERE case_id = $1)::int AS records,
              (SELECT count(*) FROM campaign_cases WHERE case_id = $1)::int AS campaign_links`,
      [erased.id],
    );
    expect(left).toEqual([
      { cases: 0, events: 0, items: 0, indicators: 0, records: 0, campaign_links: 0 },
    ]);
    // ...and the stored archive went with it (a copy of its content): a new one is asked anew.
    const stored = await call(t.app, 'GET', `/v1/reports/${archive.body.id as string}`, {
      token: c.inA.orgAdmin.token,
    });
    expect(stored.status).toBe(404);
    expect(
      await t.db.query(
        `SELECT count(*)::int AS n FROM reports WHERE kind = 'organization-archive'`,
      ),
    ).toEqual([{ n: 0 }]);
    const [tombstone] = await t.db.query(
      'SELECT reference, erased_by FROM erased_cases WHERE case_id = $1',
      [erased.id],
    );
    expect(tombstone).toEqual({ reference: erased.reference, erased_by: c.inA.orgAdmin.id });
    const audit = await call(t.app, 'GET', '/v1/audit', {
      token: c.inA.orgAdmin.token,
      query: { action: 'case.erased' },
    });
    expect(audit.status).toBe(200);
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        action: 'case.erased',
        actorUserId: c.inA.orgAdmin.id,
        targetType: 'case',
        targetId: erased.id,
        details: { reference: erased.reference },
      }),
    ]);
    // The other case of A is untouched.
    const other = await call(t.app, 'GET', `/v1/cases/${kept.id}`, { token: c.inA.member.token });
    expect(other.body.title).toBe(kept.title);
  });

  it('answers 410 Gone to those who could see it and 404 to everyone else', async () => {
    const seen: Record<string, number> = {};
    for (const [key, user] of Object.entries({
      member: c.inA.member,
      viewer: c.inA.viewer,
      otherMember: c.inB.member,
      admin: c.admin,
      outsider: memberC,
    })) {
      const answer = await call(t.app, 'GET', `/v1/cases/${erased.id}`, { token: user.token });
      seen[key] = answer.status;
      const problem = expectProblem(answer, answer.status);
      if (answer.status === 410) expect(problem.detail).toContain(erased.reference);
      else expect(answer.text).not.toContain(erased.reference);
    }
    expect(seen).toEqual({ member: 410, viewer: 410, otherMember: 410, admin: 404, outsider: 404 });
    const again = await call(t.app, 'DELETE', `/v1/cases/${erased.id}`, {
      token: c.inA.orgAdmin.token,
    });
    expectProblem(again, 410);
  });

  it('is gone from every GET route of the OpenAPI document (the audit trail excepted)', async () => {
    const doc = (await call<OpenApiDoc>(t.app, 'GET', '/openapi.json')).body;
    const gets = Object.entries(doc.paths)
      .filter(([, ops]) => 'get' in ops)
      .map(([path]) => path);
    const fill = (path: string): string | null => {
      if (path === '/v1/calendar/{token}.ics') return calendarUrl;
      if (!path.includes('{')) return path;
      // Routes about one case: the erased one.
      if (/^\/v1\/cases\/\{id\}/.test(path)) return path.replace('{id}', erased.id);
      return null; // about another resource (a contact, a report, ...): nothing of a case's
    };
    const queries: Record<string, Record<string, string>> = {
      '/v1/cases': { limit: '200' },
      '/v1/indicators/matches': { kind: 'account_handle', value: handle },
      '/v1/audit': { limit: '200' },
    };
    const secrets = [erased.id, erased.reference, erased.title];
    const problems: string[] = [];
    let walked = 0;
    for (const path of gets) {
      const url = fill(path);
      if (url === null || path === '/v1/audit') continue;
      for (const user of [c.inA.member, c.inA.orgAdmin, c.inB.member]) {
        const answer = await call(t.app, 'GET', url, { token: user.token, query: queries[path] });
        walked += 1;
        if (/^\/v1\/cases\/\{id\}/.test(path)) {
          if (answer.status !== 410) problems.push(`${path}: ${answer.status}`);
          continue;
        }
        if (answer.status >= 500) problems.push(`${path}: ${answer.status}`);
        for (const secret of secrets) {
          if (answer.text.includes(secret)) problems.push(`${path} shows ${secret}`);
        }
      }
    }
    expect(walked).toBeGreaterThan(40);
    expect(problems).toEqual([]);
    // Search by a word of its title finds nothing; the count leaves it out.
    const search = await call(t.app, 'GET', '/v1/cases', {
      token: c.inA.member.token,
      query: { q: erased.title.split(' ').pop()! },
    });
    expect(search.body.data).toEqual([]);
  });

  it('leaves indicator matches and campaigns as a withdrawn consent does', async () => {
    const match = await call(t.app, 'GET', '/v1/indicators/matches', {
      token: memberC.token,
      query: { kind: 'account_handle', value: handle },
    });
    expect(match.body).toEqual({ organizations: 0, cases: 0, visible: [] });
    await t.app.get(CampaignsService).scan();
    const campaigns = await call(t.app, 'GET', '/v1/patterns/campaigns', {
      token: memberC.token,
    });
    expect(campaigns.body.data).toEqual([]);
  });

  it('lets the creator of a TLP:RED case erase it, and nobody else (the org_admin does not see it)', async () => {
    const red = await createCase(t.app, c.inA.member.token, { tlp: 'RED' });
    const byOrgAdmin = await call(t.app, 'DELETE', `/v1/cases/${red.id}`, {
      token: c.inA.orgAdmin.token,
    });
    expectProblem(byOrgAdmin, 404);
    const byCreator = await call(t.app, 'DELETE', `/v1/cases/${red.id}`, {
      token: c.inA.member.token,
    });
    expect(byCreator.status).toBe(204);
    expectProblem(
      await call(t.app, 'GET', `/v1/cases/${red.id}`, { token: c.inA.member.token }),
      410,
    );
    expectProblem(
      await call(t.app, 'GET', `/v1/cases/${red.id}`, { token: c.inA.orgAdmin.token }),
      404,
    );
  });

  it('keeps the timeline append-only outside an erasure', async () => {
    await expect(
      t.db.query('DELETE FROM case_events WHERE case_id = $1', [kept.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.db.query(`UPDATE case_events SET note = 'x' WHERE case_id = $1`, [kept.id]),
    ).rejects.toThrow(/append-only/);
  });
});
