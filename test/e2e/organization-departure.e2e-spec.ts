import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { ContactResponseDto } from '../../src/contacts/dto/contact.dto';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { DepartureService } from '../../src/departure/departure.service';
import {
  HANDLED_BLOCKING_REFERENCES,
  ORGANIZATION_REFERENCES,
} from '../../src/departure/organization-erasure.repository';
import { ReportsService } from '../../src/reports/reports.service';
import { createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * An organisation leaving (issue 20): the archive of everything it owns (read back and compared
 * with what it owned), then the erasure of it all, both as report jobs (built here through the
 * reports service, as the worker would), with GREEN contacts handed to the coordination or not.
 */
describe('an organisation leaving: archive and erasure', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  let d: OrganizationResponseDto;
  let dAdmin: TestUser;
  let dMember: TestUser;
  let amber: CaseResponseDto;
  let red: CaseResponseDto;
  let greenContact: ContactResponseDto;
  let ownContact: ContactResponseDto;
  let dGreenContact: ContactResponseDto;
  let bCaseViaA: CaseResponseDto;
  let bCaseViaD: CaseResponseDto;

  const build = (id: string) => t.app.get(ReportsService).build(id);
  const archiveUrl = (orgId: string) => `/v1/organizations/${orgId}/archive`;
  const erasureUrl = (orgId: string) => `/v1/organizations/${orgId}/erasure`;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    d = await createOrganization(t.app);
    dAdmin = await createUser(t.app, d.id, 'org_admin');
    dMember = await createUser(t.app, d.id, 'member');
    greenContact = await createContact(t.app, c.inA.member.token, { tlp: 'GREEN' });
    ownContact = await createContact(t.app, c.inA.member.token, { tlp: 'AMBER+STRICT' });
    dGreenContact = await createContact(t.app, dMember.token, { tlp: 'GREEN' });
    amber = await createCase(t.app, c.inA.member.token, { contactId: ownContact.id });
    red = await createCase(t.app, c.inA.member.token, { tlp: 'RED' });
    const note = await call(t.app, 'POST', `/v1/cases/${amber.id}/events`, {
      token: c.inA.member.token,
      body: { type: 'note', note: 'Called the platform again.' },
    });
    expect(note.status).toBe(201);
    bCaseViaA = await createCase(t.app, c.inB.member.token, { contactId: greenContact.id });
    bCaseViaD = await createCase(t.app, c.inB.member.token, { contactId: dGreenContact.id });
    await createCase(t.app, dMember.token);
    const rule = await call(t.app, 'PUT', `/v1/organizations/${c.a.id}/retention`, {
      token: c.inA.orgAdmin.token,
      body: { closedCaseMonths: 36, keepIndicatorHashes: true },
    });
    expect(rule.status).toBe(200);
  }, 60_000);
  afterAll(() => t.close());

  it('has every foreign key to organisations in its single list, with the rule it relies on', async () => {
    const live = await t.app.get(DepartureService).referencesInSchema();
    const tables = [...new Set(live.map((r) => r.table))].sort();
    // A table added by another feature fails here until it is classified in ORGANIZATION_REFERENCES.
    expect(tables).toEqual(Object.keys(ORGANIZATION_REFERENCES).sort());
    for (const r of live) {
      const expected = ORGANIZATION_REFERENCES[r.table];
      // 'before': the erasure deletes the rows first, so the key itself must not cascade.
      if (expected === 'before')
        expect({ ...r, onDelete: r.onDelete === 'cascade' }).toEqual({ ...r, onDelete: false });
      else expect(r).toEqual({ table: r.table, onDelete: expected });
    }
  });

  it('knows every foreign key that would block deleting its users, cases or contacts', async () => {
    // A new table referencing users, cases or contacts with RESTRICT fails here: make it
    // CASCADE (rows that belong to it) or SET NULL (authorship), or handle it in the erasure.
    const departure = t.app.get(DepartureService);
    for (const target of ['users', 'cases', 'contacts'] as const) {
      expect({ target, blocking: await departure.blockingReferencesTo(target) }).toEqual({
        target,
        blocking: [...HANDLED_BLOCKING_REFERENCES[target]].sort(),
      });
    }
  });

  it('lets only the organisation’s org_admin ask, with a valid body', async () => {
    const statuses: Record<string, number[]> = {};
    for (const [key, user] of Object.entries({
      member: c.inA.member,
      viewer: c.inA.viewer,
      otherOrgAdmin: c.inB.orgAdmin,
      admin: c.admin,
    })) {
      const archive = await call(t.app, 'POST', archiveUrl(c.a.id), {
        token: user.token,
        body: { format: 'json' },
      });
      const erasure = await call(t.app, 'POST', erasureUrl(c.a.id), {
        token: user.token,
        body: { confirmSlug: c.a.slug, handOverSharedContacts: false },
      });
      statuses[key] = [archive.status, erasure.status];
    }
    expect(statuses).toEqual({
      member: [403, 403],
      viewer: [403, 403],
      otherOrgAdmin: [403, 403],
      admin: [403, 403],
    });
    const token = c.inA.orgAdmin.token;
    expect(
      fieldsOf(await call(t.app, 'POST', archiveUrl(c.a.id), { token, body: { format: 'xml' } })),
    ).toEqual(['format']);
    expect(
      fieldsOf(
        await call(t.app, 'POST', archiveUrl(c.a.id), {
          token,
          body: { format: 'json', all: true },
        }),
      ),
    ).toEqual(['all']);
    expect(
      fieldsOf(
        await call(t.app, 'POST', erasureUrl(c.a.id), {
          token,
          body: { confirmSlug: 'another-slug', handOverSharedContacts: true },
        }),
      ),
    ).toEqual(['confirmSlug']);
    expect(
      fieldsOf(
        await call(t.app, 'POST', erasureUrl(c.a.id), { token, body: { confirmSlug: c.a.slug } }),
      ),
    ).toEqual(['handOverSharedContacts']);
    expectProblem(
      await call(t.app, 'POST', archiveUrl('00000000-0000-4000-8000-000000000000'), {
        token,
        body: { format: 'json' },
      }),
      404,
    );
    expect(await t.db.query('SELECT count(*)::int AS n FROM reports')).toEqual([{ n: 0 }]);
  });

  it('builds an archive that holds what the organisation owned, read back', async () => {
    const asked = await call(t.app, 'POST', archiveUrl(c.a.id), {
      token: c.inA.orgAdmin.token,
      body: { format: 'json' },
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ kind: 'organization-archive', status: 'queued' });
    expect(await build(asked.body.id as string)).toBe('done');
    const status = await call(t.app, 'GET', `/v1/reports/${String(asked.body.id)}`, {
      token: c.inA.orgAdmin.token,
    });
    expect(status.body).toMatchObject({ status: 'done', progress: 100 });
    const file = await call(t.app, 'GET', `/v1/reports/${String(asked.body.id)}/download`, {
      token: c.inA.orgAdmin.token,
    });
    expect(file.status).toBe(200);
    const archive = JSON.parse(file.text) as {
      format: string;
      version: number;
      organization: { id: string; slug: string };
      retention: { closedCaseMonths: number };
      users: { id: string }[];
      cases: {
        id: string;
        reference: string;
        title?: string;
        events?: { type: string; note: string | null }[];
      }[];
      contacts: { id: string }[];
    };
    expect(archive).toMatchObject({
      format: 'escalation-tracker.organization-archive',
      version: 1,
      organization: { id: c.a.id, slug: c.a.slug },
      retention: { closedCaseMonths: 36, keepIndicatorHashes: true },
    });
    expect(archive.users.map((u) => u.id).sort()).toEqual(
      [c.inA.orgAdmin.id, c.inA.member.id, c.inA.viewer.id].sort(),
    );
    expect(archive.contacts.map((x) => x.id).sort()).toEqual(
      [greenContact.id, ownContact.id].sort(),
    );
    expect(archive.cases.map((x) => x.reference)).toEqual([amber.reference]);
    const amberOut = archive.cases.find((x) => x.id === amber.id)!;
    expect(amberOut.title).toBe(amber.title);
    expect(amberOut.events!.map((e) => e.note)).toContain('Called the platform again.');
    // The RED case: not even its existence (never exported; the org_admin may not see it).
    for (const trace of [red.id, red.reference, red.title]) expect(file.text).not.toContain(trace);
    // Nothing of B or D.
    expect(file.text).not.toContain(bCaseViaA.reference);
    expect(file.text).not.toContain(dGreenContact.id);
  });

  it('builds the cases as CSV too', async () => {
    const asked = await call(t.app, 'POST', archiveUrl(c.a.id), {
      token: c.inA.orgAdmin.token,
      body: { format: 'csv' },
    });
    expect(await build(asked.body.id as string)).toBe('done');
    const file = await call(t.app, 'GET', `/v1/reports/${String(asked.body.id)}/download`, {
      token: c.inA.orgAdmin.token,
    });
    const lines = file.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'reference,tlp,status,platform,channel,category,subcategory,country,urgency,outcome,escalated_at,first_response_at,resolved_at,closed_at,content_removed_at,title,summary',
    );
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.startsWith(amber.reference))).toContain(amber.title);
    for (const trace of [red.reference, red.title]) expect(file.text).not.toContain(trace);
  });

  it('erases everything the organisation owned, handing its GREEN contacts to the coordination', async () => {
    const asked = await call(t.app, 'POST', erasureUrl(c.a.id), {
      token: c.inA.orgAdmin.token,
      body: { confirmSlug: c.a.slug, handOverSharedContacts: true },
    });
    expect(asked.status).toBe(202);
    // The report row goes with the organisation: the job ends without one to mark done.
    expect(await build(asked.body.id as string)).toBe('finished');
    const left = await t.db.query(
      `SELECT (SELECT count(*) FROM organizations WHERE id = $1)::int AS organizations,
              (SELECT count(*) FROM users WHERE organization_id = $1)::int AS users,
              (SELECT count(*) FROM cases WHERE organization_id = $1)::int AS cases,
              (SELECT count(*) FROM case_events WHERE case_id = ANY($2::uuid[]))::int AS events,
              (SELECT count(*) FROM contacts WHERE organization_id = $1)::int AS contacts,
              (SELECT count(*) FROM retention_policies WHERE organization_id = $1)::int AS rules,
              (SELECT count(*) FROM reports WHERE organization_id = $1)::int AS reports`,
      [c.a.id, [amber.id, red.id]],
    );
    expect(left).toEqual([
      { organizations: 0, users: 0, cases: 0, events: 0, contacts: 0, rules: 0, reports: 0 },
    ]);
    const [handed] = await t.db.query('SELECT organization_id FROM contacts WHERE id = $1', [
      greenContact.id,
    ]);
    expect(handed).toEqual({ organization_id: c.coordination.id });
    expect(await t.db.query('SELECT id FROM contacts WHERE id = $1', [ownContact.id])).toEqual([]);
    // B's case keeps the contact that was handed over.
    const bCase = await call(t.app, 'GET', `/v1/cases/${bCaseViaA.id}`, {
      token: c.inB.member.token,
    });
    expect(bCase.body).toMatchObject({ contactId: greenContact.id, needsContact: false });
    // A's people are gone: their tokens open nothing.
    expect((await call(t.app, 'GET', '/v1/me', { token: c.inA.member.token })).status).toBe(401);
    const [entry] = await t.db.query(
      `SELECT actor_user_id, details FROM audit_entries WHERE action = 'organization.erased'
         AND organization_id = $1`,
      [c.a.id],
    );
    expect(entry).toEqual({
      actor_user_id: null,
      details: {
        organization: c.a.slug,
        cases: 2,
        contactsErased: 1,
        contactsHandedOver: 1,
        webhooks: 0,
        users: 3,
        handedOverTo: c.coordination.id,
        requestedBy: c.inA.orgAdmin.id,
      },
    });
    const erasedCases = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'case.erased'
         AND target_id = ANY($1::uuid[])`,
      [[amber.id, red.id]],
    );
    expect(erasedCases).toEqual([{ n: 2 }]);
  });

  it('erases shared contacts too when not handed over; cases elsewhere that used them ask for a new one', async () => {
    const asked = await call(t.app, 'POST', erasureUrl(d.id), {
      token: dAdmin.token,
      body: { confirmSlug: d.slug, handOverSharedContacts: false },
    });
    expect(asked.status).toBe(202);
    expect(await build(asked.body.id as string)).toBe('finished');
    expect(await t.db.query('SELECT id FROM contacts WHERE id = $1', [dGreenContact.id])).toEqual(
      [],
    );
    const bCase = await call(t.app, 'GET', `/v1/cases/${bCaseViaD.id}`, {
      token: c.inB.member.token,
    });
    expect(bCase.body).toMatchObject({ contactId: null, needsContact: true });
    expect(await t.db.query('SELECT id FROM organizations WHERE id = $1', [d.id])).toEqual([]);
  });
});

describe('an organisation leaving: the archive through the reports queue (APP_ROLE=all)', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('is built by the worker, with progress, and downloaded by the org_admin who asked', async () => {
    t = await createTestApp({ APP_ROLE: 'all' });
    const org = await createOrganization(t.app);
    const orgAdmin = await createUser(t.app, org.id, 'org_admin');
    const member = await createUser(t.app, org.id, 'member');
    const made = await createCase(t.app, member.token);
    const asked = await call(t.app, 'POST', `/v1/organizations/${org.id}/archive`, {
      token: orgAdmin.token,
      body: { format: 'json' },
    });
    expect(asked.status).toBe(202);
    const started = Date.now();
    let status: Record<string, unknown>;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (
        await call(t.app, 'GET', `/v1/reports/${String(asked.body.id)}`, { token: orgAdmin.token })
      ).body;
    } while (
      status.status !== 'done' &&
      status.status !== 'failed' &&
      Date.now() - started < 20_000
    );
    expect(status).toMatchObject({ status: 'done', progress: 100 });
    const file = await call(t.app, 'GET', String(status.downloadUrl), { token: orgAdmin.token });
    expect(file.status).toBe(200);
    expect((JSON.parse(file.text) as { cases: { id: string }[] }).cases.map((x) => x.id)).toEqual([
      made.id,
    ]);
  }, 60_000);
});
