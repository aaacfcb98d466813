import { randomBytes } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { Role } from '../../src/common/auth/actor';
import { Tlp } from '../../src/common/sharing/tlp';
import { CampaignsService } from '../../src/patterns/campaigns.service';
import { ReportsService } from '../../src/reports/reports.service';
import { caseBody, createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TEST_PASSWORD,
  TestUser,
  tokenFor,
} from '../factories/community.factory';
import { createContact, createPlatform } from '../factories/contact.factory';
import { Answer, call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The authorisation matrix: every operation of the OpenAPI document (and every controller route,
 * documented or not), called by every kind of caller, against real resources of organisation A,
 * must answer the status its rule gives. A new route fails this file until it is classified in
 * CHECKS below; a route removed fails it until its row goes.
 *
 * Callers: nobody, three bad credentials (malformed, expired, signed with another secret), the
 * viewer, member and org_admin of organisation A, A's member again through a personal API token,
 * a member and an org_admin of organisation B, and the community admin (whose own organisation
 * is a third one: TLP binds admins too).
 *
 * Bodies: every write sends a minimal VALID body, so that the 2xx of an allowed caller proves
 * access and a 401/403/404 proves refusal. One exception, marked `passes guard with 400`:
 * `POST /v1/me/password` sends a wrong current password (a real change would rotate the shared
 * callers' passwords), so the 400 of the password check proves the request got past the guards.
 * Writes that use up their target (deletes, departures, case edits with If-Match, tenures) get a
 * throwaway resource for each caller expected to succeed, and the standing fixture for each
 * caller expected to be refused, so the order of calls does not matter.
 */

type ActorKey =
  | 'anonymous'
  | 'malformedToken'
  | 'expiredToken'
  | 'forgedToken'
  | 'viewer'
  | 'member'
  | 'memberApiToken'
  | 'orgAdmin'
  | 'otherMember'
  | 'otherOrgAdmin'
  | 'admin';

interface Caller {
  key: ActorKey;
  /** Null for callers who are not signed in (nobody, bad tokens). */
  role: Role | null;
  /** 'A' (the owner of every resource), 'B' (another organisation), 'community' (the admin's). */
  org: 'A' | 'B' | 'community' | null;
  userId: string | null;
  via: 'jwt' | 'api_token' | null;
  authorization?: string;
}

interface World {
  app: NestFastifyApplication;
  c: Awaited<ReturnType<typeof createCommunity>>;
  /** Owner of the own-only resources (tokens, calendar feeds, reports), creator of the cases. */
  owner: TestUser;
  subjectUser: TestUser;
  cases: Record<(typeof caseVariants)[number], CaseResponseDto>;
  contacts: Record<(typeof contactVariants)[number], string>;
  webhookId: string;
  calendarToken: string;
  calendarTokenId: string;
  revokedCalendarToken: string;
  apiTokenId: string;
  reportId: string;
  campaignId: string;
  platformCode: string;
  channelCode: string;
  facebookChannelId: string;
  /** A working group of the owner (A's member) and B's member, and a meeting of that group. */
  workingGroupId: string;
  groupMeetingId: string;
  /** A claim of organisation A on Facebook's trusted-partner channel. */
  accessId: string;
  /** A channel incident reported by the owner (organisation A). */
  incidentId: string;
}

interface Req {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

type Rule = (a: Caller) => number;
type Guard = (a: Caller) => number | undefined;

interface Check {
  /** `METHOD /path` exactly as in the OpenAPI document. */
  route: string;
  /** What the path points at, when there are several variants of a route. */
  subject?: string;
  expect: Rule;
  /**
   * The request for this caller. `allowed`: the rule expects success, so a write that uses up
   * its target gets a throwaway one (refused callers get the standing fixture).
   */
  request?: (w: World, a: Caller, allowed: boolean) => Req | Promise<Req>;
  note?: string;
  /** The answer is someone else's view by design (a feed whose token is the credential). */
  notTheCallersView?: boolean;
}

// ---- Rules -------------------------------------------------------------------------------------

/** Guards are tried in the order the service applies them; the first refusal decides. */
const rule =
  (ok: number, ...guards: Guard[]): Rule =>
  (a) => {
    for (const guard of guards) {
      const refused = guard(a);
      if (refused !== undefined) return refused;
    }
    return ok;
  };
const signedIn: Guard = (a) => (a.role === null ? 401 : undefined);
const roleIn =
  (...roles: Role[]): Guard =>
  (a) =>
    roles.includes(a.role!) ? undefined : 403;
const notViewer: Guard = (a) => (a.role === 'viewer' ? 403 : undefined);
/** What the caller may not see does not exist for them: 404, never 403. */
const sees =
  (visible: (a: Caller) => boolean): Guard =>
  (a) =>
    visible(a) ? undefined : 404;
/** Visible, but not theirs to change (or a directory entry whose existence is public). */
const may =
  (allowed: (a: Caller) => boolean): Guard =>
  (a) =>
    allowed(a) ? undefined : 403;
/** Tokens and calendar feeds are created only from a password session, never an API token. */
const passwordSession: Guard = (a) => (a.via === 'api_token' ? 403 : undefined);

const inOrgA = (a: Caller) => a.org === 'A';
/** Members of the standing working group: the owner (both ways in) and B's member. */
const inGroup = (a: Caller) => ['member', 'memberApiToken', 'otherMember'].includes(a.key);
const isAdmin = (a: Caller) => a.role === 'admin';

/** Health, login, the calendar feed (its token is the credential), the opted-in trends. */
const PUBLIC = (ok: number) => rule(ok);
const ANY_USER = (ok: number) => rule(ok, signedIn);
/** Members, org_admins and admins; viewers read only. */
const WRITER = (ok: number) => rule(ok, signedIn, notViewer);
const ADMIN_ONLY = (ok: number) => rule(ok, signedIn, roleIn('admin'));
/** admin anywhere, org_admin for organisation A only (the organisation directory is public: 403). */
const ADMIN_OR_ORG_ADMIN_OF_A = (ok: number) =>
  rule(
    ok,
    signedIn,
    roleIn('admin', 'org_admin'),
    may((a) => isAdmin(a) || inOrgA(a)),
  );
/** Personal resources of `w.owner`: anyone else's is 404, whatever their role. */
const OWN_ONLY = (ok: number, ...guards: Guard[]) =>
  rule(ok, signedIn, ...guards, (a) =>
    a.key === 'member' || a.key === 'memberApiToken' ? undefined : 404,
  );
/** Webhooks: org_admins and admins, of their own organisation only (another's is 404). */
const WEBHOOK_OF_A = (ok: number) => rule(ok, signedIn, roleIn('org_admin', 'admin'), sees(inOrgA));

/**
 * Who sees a record of organisation A created by `owner` under each TLP (admins included: TLP
 * binds them as members of their own organisation). AMBER records name organisation B.
 */
const visibleUnder = (tlp: Tlp) => (a: Caller) =>
  tlp === 'GREEN' || tlp === 'CLEAR'
    ? a.role !== null
    : tlp === 'RED'
      ? a.key === 'member' || a.key === 'memberApiToken'
      : tlp === 'AMBER'
        ? inOrgA(a) || a.org === 'B'
        : inOrgA(a);
/** Who may change a case they see: the owning organisation; for RED its creator (and named users). */
const changesCase = (tlp: Tlp) => (a: Caller) =>
  tlp === 'RED' ? visibleUnder('RED')(a) : inOrgA(a);
/** Who may erase a case: an org_admin of A; a RED case its creator only (the org_admin: 404). */
const erasesCase = (tlp: Tlp) => (a: Caller) =>
  tlp === 'RED' ? visibleUnder('RED')(a) : a.key === 'orgAdmin';
/** Case reads: the TLP rule. */
const CASE_READ = (tlp: Tlp) => rule(200, signedIn, sees(visibleUnder(tlp)));
/** Case exports: read under TLP, and never a TLP:RED case (403 to those who may read it). */
const CASE_EXPORT = (tlp: Tlp) =>
  rule(
    200,
    signedIn,
    sees(visibleUnder(tlp)),
    may(() => tlp !== 'RED'),
  );
/**
 * Case writes: visibility first (404), then the viewer refusal (403), then the change right
 * (403 for the partners who only read it).
 */
const CASE_WRITE = (ok: number, tlp: Tlp) =>
  rule(ok, signedIn, sees(visibleUnder(tlp)), notViewer, may(changesCase(tlp)));
/** Contact reads: the TLP rule. */
const CONTACT_READ = (tlp: Tlp) => rule(200, signedIn, sees(visibleUnder(tlp)));
/**
 * Contact writes: the viewer refusal first (it says nothing about the contact), then TLP; the
 * working group keeps the contacts it sees up to date (only the TLP is the owner's to change).
 */
const CONTACT_WRITE = (ok: number, tlp: Tlp) =>
  rule(ok, signedIn, notViewer, sees(visibleUnder(tlp)));

// ---- Resources ---------------------------------------------------------------------------------

const unique = () => randomBytes(4).toString('hex');

function expectStatus(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) {
    throw new Error(`setup: ${what}: expected ${status}, got ${answer.status}: ${answer.text}`);
  }
  return answer;
}

/** A case of organisation A by the owner, for one call that changes it. */
const throwawayCase = (w: World, tlp: Tlp) => createCase(w.app, w.owner.token, sharing(w, tlp));
const throwawayContact = async (w: World, tlp: Tlp) =>
  (await createContact(w.app, w.owner.token, sharing(w, tlp))).id;
/** The TLP, and for AMBER the other organisation named on the record. */
const sharing = (w: World, tlp: Tlp) => ({
  tlp,
  ...(tlp === 'AMBER' ? { shareWithOrganizationIds: [w.c.b.id] } : {}),
});

/** A claim of organisation A (by its org_admin), for one call that decides or changes it. */
async function throwawayClaim(w: World): Promise<string> {
  const answer = await call(w.app, 'POST', '/v1/channel-access', {
    token: w.c.inA.orgAdmin.token,
    body: {
      organizationId: w.c.a.id,
      channelId: w.facebookChannelId,
      countries: ['BO'],
      since: '2026-01-01',
      evidenceNote: 'Partner letter',
    },
  });
  return expectStatus(answer, 201, 'channel access claim').body.id as string;
}

async function throwawayIncident(w: World, token: string): Promise<string> {
  const answer = await call(w.app, 'POST', '/v1/channel-incidents', {
    token,
    body: {
      platformCode: 'facebook',
      channelCode: 'trusted_partner',
      kind: 'broken',
      since: '2026-01-15',
      description: 'The form fails',
    },
  });
  return expectStatus(answer, 201, 'channel incident').body.id as string;
}

async function throwawayApiToken(w: World): Promise<string> {
  const answer = await call(w.app, 'POST', '/v1/auth/tokens', {
    token: w.owner.token,
    body: { name: `throwaway ${unique()}` },
  });
  return expectStatus(answer, 201, 'API token').body.id as string;
}

async function throwawayCalendarToken(w: World): Promise<{ id: string; token: string }> {
  const answer = await call(w.app, 'POST', '/v1/calendar-tokens', {
    token: w.owner.token,
    body: { name: `throwaway ${unique()}` },
  });
  expectStatus(answer, 201, 'calendar token');
  return answer.body as { id: string; token: string };
}

async function throwawayWebhook(w: World): Promise<string> {
  const answer = await call(w.app, 'POST', '/v1/webhooks', {
    token: w.c.inA.orgAdmin.token,
    body: { url: `https://hooks.example.org/${unique()}` },
  });
  return expectStatus(answer, 201, 'webhook').body.id as string;
}

async function throwawayGroup(w: World, memberIds: string[]): Promise<string> {
  const group = await call(w.app, 'POST', '/v1/working-groups', {
    token: w.c.admin.token,
    body: { name: `authz group ${unique()}` },
  });
  const id = expectStatus(group, 201, 'working group').body.id as string;
  for (const userId of memberIds) {
    expectStatus(
      await call(w.app, 'POST', `/v1/working-groups/${id}/members`, {
        token: w.c.admin.token,
        body: { userId },
      }),
      201,
      'working group member',
    );
  }
  return id;
}

const MEETING_TIMES = { startsAt: '2027-03-24T09:00:00Z', endsAt: '2027-03-24T10:00:00Z' };

async function throwawayMeeting(w: World): Promise<string> {
  const meeting = await call(w.app, 'POST', '/v1/meetings', {
    token: w.c.admin.token,
    body: { title: `authz meeting ${unique()}`, ...MEETING_TIMES },
  });
  return expectStatus(meeting, 201, 'meeting').body.id as string;
}

const IMPORT_CSV =
  'platform,channel,title,summary,category,country\r\n' +
  'facebook,trusted_partner,Imported escalation,Summary of a past escalation,doxxing,BO\r\n';

// ---- The table ---------------------------------------------------------------------------------

const caseVariants = ['AMBER+STRICT', 'RED', 'AMBER', 'GREEN'] as const;
const contactVariants = ['GREEN', 'AMBER+STRICT', 'AMBER'] as const;

const CHECKS: Check[] = [
  // health
  { route: 'GET /health', expect: PUBLIC(200) },
  { route: 'GET /health/live', expect: PUBLIC(200) },

  // auth
  {
    route: 'POST /v1/auth/login',
    expect: PUBLIC(200),
    request: (w) => ({ body: { email: w.owner.email, password: TEST_PASSWORD } }),
  },
  { route: 'GET /v1/me', expect: ANY_USER(200) },
  {
    route: 'POST /v1/auth/tokens',
    expect: rule(201, signedIn, passwordSession),
    request: () => ({ body: { name: `authz ${unique()}` } }),
  },
  { route: 'GET /v1/auth/tokens', expect: ANY_USER(200) },
  {
    route: 'DELETE /v1/auth/tokens/{id}',
    subject: "the owner's API token",
    expect: OWN_ONLY(204),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayApiToken(w) : w.apiTokenId },
    }),
  },

  // organisations and users
  { route: 'GET /v1/organizations', expect: ANY_USER(200) },
  {
    route: 'POST /v1/organizations',
    expect: ADMIN_ONLY(201),
    request: () => {
      const id = unique();
      return {
        body: {
          slug: `authz-${id}`,
          name: `Helpline ${id}`,
          countries: ['PE'],
          languages: ['es'],
          constituencies: ['women_journalists'],
          timezone: 'America/Lima',
        },
      };
    },
  },
  {
    route: 'GET /v1/organizations/{id}',
    subject: 'organisation A',
    expect: ANY_USER(200),
    request: (w) => ({ params: { id: w.c.a.id } }),
  },
  {
    route: 'PATCH /v1/organizations/{id}',
    subject: 'organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(200),
    request: (w) => ({ params: { id: w.c.a.id }, body: { website: 'https://a.example.org' } }),
  },
  {
    route: 'POST /v1/organizations/{id}/users',
    subject: 'organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(201),
    request: (w) => ({
      params: { id: w.c.a.id },
      body: {
        email: `new-${unique()}@example.org`,
        displayName: 'New member',
        role: 'member',
        password: 'a-long-enough-new-password',
      },
    }),
  },
  {
    route: 'GET /v1/organizations/{id}/retention',
    subject: 'organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(200),
    request: (w) => ({ params: { id: w.c.a.id } }),
  },
  {
    route: 'PUT /v1/organizations/{id}/retention',
    subject: 'organisation A',
    // Only the organisation decides how long its cases keep their content (not the community).
    expect: rule(200, signedIn, roleIn('org_admin'), may(inOrgA)),
    request: (w) => ({
      params: { id: w.c.a.id },
      body: { closedCaseMonths: null, keepIndicatorHashes: false },
    }),
  },
  {
    route: 'POST /v1/organizations/{id}/archive',
    subject: 'organisation A',
    // The organisation's own org_admin only; the report is queued (no worker here).
    expect: rule(202, signedIn, roleIn('org_admin'), may(inOrgA)),
    request: (w) => ({ params: { id: w.c.a.id }, body: { format: 'json' } }),
  },
  {
    route: 'POST /v1/organizations/{id}/erasure',
    subject: 'organisation A',
    // Queued only: this app runs no worker, so organisation A stays for the other rows.
    expect: rule(202, signedIn, roleIn('org_admin'), may(inOrgA)),
    request: (w) => ({
      params: { id: w.c.a.id },
      body: { confirmSlug: w.c.a.slug, handOverSharedContacts: false },
    }),
  },
  {
    route: 'GET /v1/organizations/{id}/users',
    subject: 'organisation A',
    // The directory of organisations is public, so a 403 here tells nothing new.
    expect: rule(
      200,
      signedIn,
      may((a) => isAdmin(a) || inOrgA(a)),
    ),
    request: (w) => ({ params: { id: w.c.a.id } }),
  },
  {
    route: 'GET /v1/users/{id}',
    subject: 'a member of A',
    expect: rule(
      200,
      signedIn,
      sees((a) => isAdmin(a) || inOrgA(a)),
    ),
    request: (w) => ({ params: { id: w.subjectUser.id } }),
  },
  {
    route: 'PATCH /v1/users/{id}',
    subject: 'a member of A',
    expect: rule(
      200,
      signedIn,
      sees((a) => isAdmin(a) || inOrgA(a)),
      may((a) => isAdmin(a) || a.role === 'org_admin'),
    ),
    request: (w) => ({
      params: { id: w.subjectUser.id },
      body: { displayName: `Renamed ${unique()}` },
    }),
  },
  {
    route: 'POST /v1/users/{id}/sign-out-everywhere',
    subject: 'a member of A',
    expect: rule(
      204,
      signedIn,
      sees((a) => isAdmin(a) || inOrgA(a)),
      may((a) => isAdmin(a) || a.role === 'org_admin'),
    ),
    request: (w) => ({ params: { id: w.subjectUser.id }, body: {} }),
  },
  {
    route: 'POST /v1/me/password',
    note: 'passes guard with 400',
    expect: ANY_USER(400),
    request: () => ({
      body: {
        currentPassword: 'not-the-current-password',
        newPassword: 'an-unused-new-passphrase',
      },
    }),
  },

  // platforms and channels
  { route: 'GET /v1/platforms', expect: ANY_USER(200) },
  {
    route: 'POST /v1/platforms',
    expect: ADMIN_ONLY(201),
    request: () => ({ body: { code: `p_${unique()}`, name: 'A platform' } }),
  },
  {
    route: 'GET /v1/platforms/{code}',
    expect: ANY_USER(200),
    request: () => ({ params: { code: 'facebook' } }),
  },
  {
    route: 'PATCH /v1/platforms/{code}',
    expect: ADMIN_ONLY(200),
    request: (w) => ({ params: { code: w.platformCode }, body: { name: `Renamed ${unique()}` } }),
  },
  {
    route: 'POST /v1/platforms/{code}/channels',
    expect: ADMIN_ONLY(201),
    request: (w) => ({
      params: { code: w.platformCode },
      body: {
        code: `c_${unique()}`,
        name: 'Report form',
        kind: 'public_report',
        expectedResponseHours: 72,
      },
    }),
  },
  {
    route: 'PATCH /v1/platforms/{code}/channels/{channelCode}',
    expect: ADMIN_ONLY(200),
    request: (w) => ({
      params: { code: w.platformCode, channelCode: w.channelCode },
      body: { expectedResponseHours: 48 },
    }),
  },
  {
    route: 'GET /v1/platforms/{code}/partners',
    expect: ANY_USER(200),
    request: () => ({ params: { code: 'facebook' }, query: { country: 'BO' } }),
  },
  {
    route: 'POST /v1/channel-access',
    subject: 'for organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(201),
    request: (w) => ({
      body: {
        organizationId: w.c.a.id,
        channelId: w.facebookChannelId,
        countries: ['BO'],
        since: '2026-01-01',
        evidenceNote: 'Partner letter',
      },
    }),
  },
  {
    route: 'GET /v1/channel-access',
    expect: ANY_USER(200),
    request: () => ({ query: { status: 'claimed' } }),
  },
  {
    route: 'GET /v1/channel-access/overview',
    expect: ANY_USER(200),
    request: () => ({ query: { country: 'BO' } }),
  },
  {
    route: 'GET /v1/channel-access/{id}',
    subject: 'a claim of organisation A (the registry is the community’s)',
    expect: ANY_USER(200),
    request: (w) => ({ params: { id: w.accessId } }),
  },
  {
    route: 'GET /v1/channel-access/{id}/history',
    subject: 'a claim of organisation A',
    expect: ANY_USER(200),
    request: (w) => ({ params: { id: w.accessId } }),
  },
  {
    route: 'PATCH /v1/channel-access/{id}',
    subject: 'a claim of organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(200),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayClaim(w) : w.accessId },
      headers: { 'if-match': '"1"' },
      body: { until: '2026-12-31' },
    }),
  },
  {
    route: 'POST /v1/channel-access/{id}/approve',
    subject: 'a claim of organisation A (never by its own org_admin)',
    expect: ADMIN_ONLY(200),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayClaim(w) : w.accessId },
      body: {},
    }),
  },
  {
    route: 'POST /v1/channel-access/{id}/refuse',
    subject: 'a claim of organisation A',
    expect: ADMIN_ONLY(200),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayClaim(w) : w.accessId },
      body: { reason: 'Not confirmed by the platform' },
    }),
  },
  {
    route: 'POST /v1/channel-access/{id}/revoke',
    subject: 'a claim of organisation A',
    expect: ADMIN_OR_ORG_ADMIN_OF_A(200),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayClaim(w) : w.accessId },
      body: { reason: 'Program closed' },
    }),
  },
  {
    route: 'GET /v1/platforms/{code}/channels/{channelCode}/playbook',
    expect: ANY_USER(200),
    request: (w) => ({ params: { code: w.platformCode, channelCode: w.channelCode } }),
  },
  {
    route: 'PUT /v1/platforms/{code}/channels/{channelCode}/playbook',
    expect: WRITER(200),
    request: (w) => ({
      params: { code: w.platformCode, channelCode: w.channelCode },
      headers: { 'if-match': '*' },
      body: { evidence: `Screenshots ${unique()}` },
    }),
  },
  {
    route: 'GET /v1/platforms/{code}/channels/{channelCode}/playbook/versions',
    expect: ANY_USER(200),
    request: (w) => ({ params: { code: w.platformCode, channelCode: w.channelCode } }),
  },
  {
    route: 'GET /v1/platforms/{code}/channels/{channelCode}/playbook/versions/{version}',
    expect: ANY_USER(200),
    request: (w) => ({
      params: { code: w.platformCode, channelCode: w.channelCode, version: '1' },
    }),
  },
  {
    route: 'GET /v1/channel-incidents',
    expect: ANY_USER(200),
    request: () => ({ query: { status: 'open' } }),
  },
  {
    route: 'POST /v1/channel-incidents',
    expect: WRITER(201),
    request: () => ({
      body: {
        platformCode: 'facebook',
        channelCode: 'trusted_partner',
        kind: 'silent',
        since: '2026-01-01',
        description: 'No answers',
      },
    }),
  },
  {
    route: 'GET /v1/channel-incidents/{id}',
    subject: 'an incident reported by organisation A (community content)',
    expect: ANY_USER(200),
    request: (w) => ({ params: { id: w.incidentId } }),
  },
  {
    route: 'POST /v1/channel-incidents/{id}/confirmations',
    subject: 'an incident reported by another organisation than the caller’s',
    expect: WRITER(201),
    request: async (w, a, allowed) => ({
      // A fresh incident of another organisation for each caller who may confirm.
      params: {
        id: allowed
          ? await throwawayIncident(w, a.org === 'A' ? w.c.inB.member.token : w.owner.token)
          : w.incidentId,
      },
      body: { note: 'We see it too' },
    }),
  },
  {
    route: 'POST /v1/channel-incidents/{id}/resolve',
    subject: 'an incident reported by organisation A',
    expect: rule(
      200,
      signedIn,
      notViewer,
      may((a) => isAdmin(a) || inOrgA(a)),
    ),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayIncident(w, w.owner.token) : w.incidentId },
      body: { resolvedOn: '2026-02-01' },
    }),
  },

  // contacts
  {
    route: 'GET /v1/contacts',
    expect: ANY_USER(200),
    request: () => ({ query: { limit: '200' } }),
  },
  {
    route: 'POST /v1/contacts',
    expect: WRITER(201),
    request: () => ({ body: { platformCode: 'facebook', fullName: `Contact ${unique()}` } }),
  },
  ...contactVariants.flatMap((tlp): Check[] => {
    const subject = `${tlp}${tlp === 'AMBER' ? ' (names B)' : ''} contact of A`;
    const fixture = (w: World) => ({ id: w.contacts[tlp] });
    return [
      {
        route: 'GET /v1/contacts/{id}',
        subject,
        expect: CONTACT_READ(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
      {
        route: 'PATCH /v1/contacts/{id}',
        subject,
        expect: CONTACT_WRITE(200, tlp),
        request: (w) => ({ params: fixture(w), body: { notes: `Prefers e-mail ${unique()}` } }),
      },
      {
        route: 'GET /v1/contacts/{id}/history',
        subject,
        expect: CONTACT_READ(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
      {
        route: 'POST /v1/contacts/{id}/tenures',
        subject,
        expect: CONTACT_WRITE(201, tlp),
        request: async (w, _a, allowed) => ({
          params: allowed ? { id: await throwawayContact(w, tlp) } : fixture(w),
          body: { title: 'Public policy manager', startedOn: '2025-01-01' },
        }),
      },
      {
        route: 'POST /v1/contacts/{id}/departure',
        subject,
        expect: CONTACT_WRITE(201, tlp),
        request: async (w, _a, allowed) => ({
          params: allowed ? { id: await throwawayContact(w, tlp) } : fixture(w),
          body: { leftOn: '2026-01-15', reason: 'Left the company' },
        }),
      },
      {
        route: 'POST /v1/contacts/{id}/verify',
        subject,
        expect: CONTACT_WRITE(201, tlp),
        request: (w) => ({ params: fixture(w), body: {} }),
      },
      {
        route: 'GET /v1/contacts/{id}/vcard',
        subject,
        expect: CONTACT_READ(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
    ];
  }),
  {
    route: 'GET /v1/platforms/{code}/turnover',
    expect: ANY_USER(200),
    request: () => ({ params: { code: 'facebook' } }),
  },

  // cases
  {
    route: 'POST /v1/cases/import',
    subject: 'dry run',
    expect: WRITER(200),
    request: () => ({
      query: { dryRun: 'true' },
      raw: IMPORT_CSV,
      headers: { 'content-type': 'text/csv' },
    }),
  },
  { route: 'GET /v1/cases', expect: ANY_USER(200), request: () => ({ query: { limit: '200' } }) },
  { route: 'POST /v1/cases', expect: WRITER(201), request: () => ({ body: caseBody() }) },
  { route: 'GET /v1/cases/count', expect: ANY_USER(200) },
  ...caseVariants.flatMap((tlp): Check[] => {
    const subject = `${tlp}${tlp === 'AMBER' ? ' (names B)' : ''} case of A`;
    const fixture = (w: World) => ({ id: w.cases[tlp].id });
    return [
      {
        route: 'GET /v1/cases/{id}',
        subject,
        expect: CASE_READ(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
      {
        route: 'PATCH /v1/cases/{id}',
        subject,
        expect: CASE_WRITE(200, tlp),
        request: async (w, _a, allowed) => {
          // Refused callers never reach the version check: the fixture's first version will do.
          const fresh = allowed ? await throwawayCase(w, tlp) : w.cases[tlp];
          return {
            params: { id: fresh.id },
            headers: { 'if-match': `"${fresh.version}"` },
            body: { title: `Edited ${unique()}` },
          };
        },
      },
      {
        route: 'DELETE /v1/cases/{id}',
        subject,
        expect: rule(204, signedIn, sees(visibleUnder(tlp)), may(erasesCase(tlp))),
        request: async (w, _a, allowed) => ({
          params: { id: allowed ? (await throwawayCase(w, tlp)).id : w.cases[tlp].id },
        }),
      },
      {
        route: 'POST /v1/cases/{id}/events',
        subject,
        expect: CASE_WRITE(201, tlp),
        request: (w) => ({ params: fixture(w), body: { type: 'note', note: 'Called again.' } }),
      },
      {
        route: 'GET /v1/cases/{id}/events',
        subject,
        expect: CASE_READ(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
      {
        route: 'GET /v1/cases/{id}/stix',
        subject,
        expect: CASE_EXPORT(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
      {
        route: 'GET /v1/cases/{id}/misp',
        subject,
        expect: CASE_EXPORT(tlp),
        request: (w) => ({ params: fixture(w) }),
      },
    ];
  }),
  {
    route: 'GET /v1/indicators/matches',
    expect: ANY_USER(200),
    request: () => ({ query: { kind: 'account_handle', value: '@Attacker_1' } }),
  },

  // webhooks
  {
    route: 'POST /v1/webhooks',
    expect: rule(201, signedIn, roleIn('org_admin', 'admin')),
    request: () => ({ body: { url: `https://hooks.example.org/${unique()}` } }),
  },
  { route: 'GET /v1/webhooks', expect: rule(200, signedIn, roleIn('org_admin', 'admin')) },
  {
    route: 'DELETE /v1/webhooks/{id}',
    subject: 'webhook of A',
    expect: WEBHOOK_OF_A(204),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayWebhook(w) : w.webhookId },
    }),
  },
  {
    route: 'GET /v1/webhooks/{id}/deliveries',
    subject: 'webhook of A',
    expect: WEBHOOK_OF_A(200),
    request: (w) => ({ params: { id: w.webhookId } }),
  },

  // working groups and meetings
  { route: 'GET /v1/working-groups', expect: ANY_USER(200) },
  {
    route: 'POST /v1/working-groups',
    expect: ADMIN_ONLY(201),
    request: () => ({ body: { name: `authz group ${unique()}` } }),
  },
  {
    route: 'GET /v1/working-groups/{id}',
    subject: 'a working group (its name is known to all)',
    expect: ANY_USER(200),
    request: (w) => ({ params: { id: w.workingGroupId } }),
  },
  {
    route: 'GET /v1/working-groups/{id}/members',
    subject: "a working group of A's and B's members",
    expect: rule(
      200,
      signedIn,
      sees((a) => inGroup(a) || isAdmin(a)),
    ),
    request: (w) => ({ params: { id: w.workingGroupId } }),
  },
  {
    route: 'POST /v1/working-groups/{id}/members',
    subject: "a working group of A's and B's members",
    expect: ADMIN_ONLY(201),
    request: (w) => ({
      params: { id: w.workingGroupId },
      body: { userId: w.subjectUser.id },
    }),
  },
  {
    route: 'DELETE /v1/working-groups/{id}/members/{userId}',
    subject: 'members leave themselves, the admin removes another; others see no members',
    expect: rule(
      204,
      signedIn,
      sees((a) => inGroup(a) || isAdmin(a)),
    ),
    request: async (w, a, allowed) => {
      if (!allowed) return { params: { id: w.workingGroupId, userId: w.owner.id } };
      const userId = isAdmin(a) ? w.subjectUser.id : a.userId!;
      return { params: { id: await throwawayGroup(w, [userId]), userId } };
    },
  },
  { route: 'GET /v1/meetings', expect: ANY_USER(200) },
  {
    route: 'POST /v1/meetings',
    expect: ADMIN_ONLY(201),
    request: () => ({ body: { title: `authz meeting ${unique()}`, ...MEETING_TIMES } }),
  },
  {
    route: 'GET /v1/meetings/{id}',
    subject: "a meeting of a working group of A's and B's members",
    expect: rule(
      200,
      signedIn,
      sees((a) => inGroup(a) || isAdmin(a)),
    ),
    request: (w) => ({ params: { id: w.groupMeetingId } }),
  },
  {
    route: 'PATCH /v1/meetings/{id}',
    subject: "a meeting of a working group of A's and B's members",
    expect: ADMIN_ONLY(200),
    request: (w) => ({
      params: { id: w.groupMeetingId },
      body: { agenda: `agenda ${unique()}` },
    }),
  },
  {
    route: 'POST /v1/meetings/{id}/cancel',
    subject: 'a meeting of the whole community',
    expect: ADMIN_ONLY(200),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? await throwawayMeeting(w) : w.groupMeetingId },
    }),
  },
  {
    route: 'PUT /v1/meetings/{id}/answer',
    subject: "a meeting of a working group of A's and B's members (admins answer only if invited)",
    expect: rule(200, signedIn, sees(inGroup)),
    request: (w) => ({ params: { id: w.groupMeetingId }, body: { answer: 'maybe' } }),
  },

  // calendar
  {
    route: 'POST /v1/calendar-tokens',
    expect: rule(201, signedIn, passwordSession),
    request: () => ({ body: { name: `authz ${unique()}` } }),
  },
  { route: 'GET /v1/calendar-tokens', expect: ANY_USER(200) },
  {
    route: 'DELETE /v1/calendar-tokens/{id}',
    subject: "the owner's calendar feed",
    expect: OWN_ONLY(204),
    request: async (w, _a, allowed) => ({
      params: { id: allowed ? (await throwawayCalendarToken(w)).id : w.calendarTokenId },
    }),
  },
  {
    route: 'GET /v1/calendar/{token}.ics',
    subject: "the owner's feed token",
    expect: PUBLIC(200),
    notTheCallersView: true,
    request: (w) => ({ params: { token: w.calendarToken } }),
  },
  {
    route: 'GET /v1/calendar/{token}.ics',
    subject: 'a revoked feed token',
    expect: PUBLIC(404),
    request: (w) => ({ params: { token: w.revokedCalendarToken } }),
  },

  // patterns and reports
  {
    route: 'GET /v1/reports/annual',
    expect: ANY_USER(200),
    request: () => ({ query: { year: '2026' } }),
  },
  { route: 'GET /v1/patterns/trends', expect: ANY_USER(200) },
  { route: 'GET /v1/public/trends', subject: 'PUBLIC_TRENDS=true', expect: PUBLIC(200) },
  { route: 'GET /v1/reports/platform-scorecard', expect: ANY_USER(200) },
  { route: 'GET /v1/patterns/emerging', expect: ANY_USER(200) },
  { route: 'GET /v1/patterns/campaigns', expect: ANY_USER(200) },
  {
    route: 'GET /v1/patterns/campaigns/{id}',
    subject: 'campaign of A and another organisation, under k cases',
    expect: rule(200, signedIn, sees(inOrgA)),
    request: (w) => ({ params: { id: w.campaignId } }),
  },
  {
    route: 'GET /v1/reports/campaigns/{id}/stix',
    subject: 'campaign of A and another organisation, under k cases',
    expect: rule(200, signedIn, sees(inOrgA)),
    request: (w) => ({ params: { id: w.campaignId } }),
  },
  {
    route: 'GET /v1/reports/campaigns/{id}/misp',
    subject: 'campaign of A and another organisation, under k cases',
    expect: rule(200, signedIn, sees(inOrgA)),
    request: (w) => ({ params: { id: w.campaignId } }),
  },
  {
    route: 'GET /v1/reports/trends',
    expect: ANY_USER(200),
    request: () => ({ query: { format: 'json' } }),
  },
  {
    route: 'POST /v1/reports',
    expect: ANY_USER(202),
    request: () => ({ body: { kind: 'trends', format: 'csv' } }),
  },
  {
    route: 'GET /v1/reports/{id}',
    subject: "the owner's finished report",
    expect: OWN_ONLY(200),
    request: (w) => ({ params: { id: w.reportId } }),
  },
  {
    route: 'GET /v1/reports/{id}/download',
    subject: "the owner's finished report",
    expect: OWN_ONLY(200),
    request: (w) => ({ params: { id: w.reportId } }),
  },

  // audit and administration
  { route: 'GET /v1/audit', expect: rule(200, signedIn, roleIn('admin', 'org_admin')) },
  {
    route: 'GET /v1/audit',
    subject: "organisation A's trail",
    expect: ADMIN_OR_ORG_ADMIN_OF_A(200),
    request: (w) => ({ query: { organizationId: w.c.a.id, limit: '200' } }),
  },
  { route: 'GET /v1/admin/queues', expect: ADMIN_ONLY(200) },
];

// ---- Route discovery ---------------------------------------------------------------------------

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** `METHOD /path` of every operation of the document. */
function documentedRoutes(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `METHOD /path` of every controller handler Nest registered, in the document's notation. */
function controllerRoutes(app: NestFastifyApplication): string[] {
  const routes = new Set<string>();
  const toPath = (...parts: string[]) =>
    (
      '/' +
      parts
        .flatMap((p) => p.split('/'))
        .filter(Boolean)
        .join('/')
    ).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as { prototype: object } | null;
      if (!type?.prototype) continue;
      const bases = [Reflect.getMetadata('path', type) as string | string[] | undefined]
        .flat()
        .map((b) => b ?? '');
      const names = new Set<string>();
      for (
        let proto: object | null = type.prototype;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto) as object | null
      ) {
        Object.getOwnPropertyNames(proto).forEach((n) => names.add(n));
      }
      for (const name of names) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const paths = Reflect.getMetadata('path', handler) as string | string[] | undefined;
        const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
        if (paths === undefined || method === undefined) continue;
        for (const base of bases) {
          for (const path of [paths].flat()) {
            routes.add(`${RequestMethod[method]} ${toPath(base, path)}`);
          }
        }
      }
    }
  }
  return [...routes];
}

// ---- The suite ---------------------------------------------------------------------------------

describe('authorisation matrix: every route x every caller', () => {
  let t: TestApp;
  let w: World;
  let callers: Caller[];
  let contactNames: Record<(typeof contactVariants)[number], string>;

  /**
   * What of the fixtures' content a caller must never find in any answer: the title and
   * reference of each case, the name of each contact, unless TLP lets the caller see it.
   */
  const secretsHiddenFrom = (a: Caller): { what: string; text: string }[] => [
    ...caseVariants
      .filter((tlp) => !visibleUnder(tlp)(a))
      .flatMap((tlp) => [
        { what: `title of the ${tlp} case`, text: w.cases[tlp].title },
        { what: `reference of the ${tlp} case`, text: w.cases[tlp].reference },
      ]),
    ...contactVariants
      .filter((tlp) => !visibleUnder(tlp)(a))
      .map((tlp) => ({ what: `name of the ${tlp} contact`, text: contactNames[tlp] })),
  ];

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_TRENDS: 'true' });
    const app = t.app;
    const c = await createCommunity(app);
    const owner = c.inA.member;

    const apiToken = await call(app, 'POST', '/v1/auth/tokens', {
      token: owner.token,
      body: { name: 'authz suite' },
    });
    expectStatus(apiToken, 201, 'API token of the member');
    const forged = await app
      .get(JwtService)
      .signAsync(
        { sub: owner.id, typ: 'access' },
        { secret: 'another-secret-that-is-long-enough-0123456789' },
      );
    const user = (key: ActorKey, u: TestUser, org: Caller['org']): Caller => ({
      key,
      role: u.role,
      org,
      userId: u.id,
      via: 'jwt',
      authorization: `Bearer ${u.token}`,
    });
    const nobody = (key: ActorKey, authorization?: string): Caller => ({
      key,
      role: null,
      org: null,
      userId: null,
      via: null,
      authorization,
    });
    callers = [
      nobody('anonymous'),
      nobody('malformedToken', 'Bearer not-a-token'),
      nobody('expiredToken', `Bearer ${await tokenFor(app, owner.id, -10)}`),
      nobody('forgedToken', `Bearer ${forged}`),
      user('viewer', c.inA.viewer, 'A'),
      user('member', owner, 'A'),
      {
        ...user('memberApiToken', owner, 'A'),
        via: 'api_token',
        authorization: `Bearer ${apiToken.body.token as string}`,
      },
      user('orgAdmin', c.inA.orgAdmin, 'A'),
      user('otherMember', c.inB.member, 'B'),
      user('otherOrgAdmin', c.inB.orgAdmin, 'B'),
      user('admin', c.admin, 'community'),
    ];

    // A campaign of A and a third organisation (2 cases, under k): B and the admin are not in it.
    const orgC = await createOrganization(app);
    const memberC = await createUser(app, orgC.id, 'member');
    const shared = { kind: 'account_handle', value: `@campaign_${unique()}` };
    await createCase(app, owner.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-02T10:00:00.000Z',
      indicators: [shared],
    });
    await createCase(app, memberC.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-04T10:00:00.000Z',
      indicators: [shared],
    });
    await app.get(CampaignsService).scan();
    const [campaign] = (await call(app, 'GET', '/v1/patterns/campaigns', { token: owner.token }))
      .body.data as { id: string }[];
    if (!campaign) throw new Error('setup: no campaign was linked');

    const report = await call(app, 'POST', '/v1/reports', {
      token: owner.token,
      body: { kind: 'trends', format: 'json' },
    });
    expectStatus(report, 202, 'report');
    const built = await app.get(ReportsService).build(report.body.id as string);
    if (built !== 'done') throw new Error(`setup: report build answered ${built}`);

    const platform = await createPlatform(app, c.admin.token);
    const channelCode = `c_${unique()}`;
    expectStatus(
      await call(app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: { code: channelCode, name: 'Form', kind: 'public_report', expectedResponseHours: 72 },
      }),
      201,
      'channel',
    );
    const facebook = await call(app, 'GET', '/v1/platforms/facebook', { token: owner.token });
    const channels = facebook.body.channels as { id: string; code: string }[];

    w = {
      app,
      c,
      owner,
      subjectUser: await createUser(app, c.a.id, 'member'),
      cases: {} as World['cases'],
      contacts: {} as World['contacts'],
      webhookId: '',
      calendarToken: '',
      calendarTokenId: '',
      revokedCalendarToken: '',
      apiTokenId: '',
      reportId: report.body.id as string,
      campaignId: campaign.id,
      platformCode: platform.code,
      channelCode,
      facebookChannelId: channels.find((ch) => ch.code === 'trusted_partner')!.id,
      workingGroupId: '',
      groupMeetingId: '',
      accessId: '',
      incidentId: '',
    };
    w.workingGroupId = await throwawayGroup(w, [owner.id, c.inB.member.id]);
    const groupMeeting = await call(app, 'POST', '/v1/meetings', {
      token: c.admin.token,
      body: { title: 'authz group meeting', ...MEETING_TIMES, workingGroupId: w.workingGroupId },
    });
    w.groupMeetingId = expectStatus(groupMeeting, 201, 'group meeting').body.id as string;
    w.accessId = await throwawayClaim(w);
    w.incidentId = await throwawayIncident(w, owner.token);
    expectStatus(
      await call(app, 'PUT', `/v1/platforms/${platform.code}/channels/${channelCode}/playbook`, {
        token: owner.token,
        headers: { 'if-match': '"0"' },
        body: { evidence: 'Screenshots with the URL' },
      }),
      200,
      'playbook',
    );
    for (const tlp of caseVariants) w.cases[tlp] = await throwawayCase(w, tlp);
    for (const tlp of contactVariants) w.contacts[tlp] = await throwawayContact(w, tlp);
    w.webhookId = await throwawayWebhook(w);
    const feed = await throwawayCalendarToken(w);
    w.calendarToken = feed.token;
    w.calendarTokenId = feed.id;
    w.apiTokenId = await throwawayApiToken(w);
    const revoked = await throwawayCalendarToken(w);
    expectStatus(
      await call(app, 'DELETE', `/v1/calendar-tokens/${revoked.id}`, { token: owner.token }),
      204,
      'revoking a calendar token',
    );
    w.revokedCalendarToken = revoked.token;
    contactNames = Object.fromEntries(
      await Promise.all(
        contactVariants.map(async (tlp) => {
          const contact = await call(app, 'GET', `/v1/contacts/${w.contacts[tlp]}`, {
            token: owner.token,
          });
          return [tlp, expectStatus(contact, 200, 'contact').body.fullName as string];
        }),
      ),
    ) as Record<(typeof contactVariants)[number], string>;
  }, 120_000);
  afterAll(() => t.close());

  it('has a row for every operation of the OpenAPI document, and no row for a route that is gone', async () => {
    const doc = (await call<OpenApiDoc>(t.app, 'GET', '/openapi.json')).body;
    const documented = new Set(documentedRoutes(doc));
    const classified = new Set(CHECKS.map((check) => check.route));
    expect({
      unclassified: [...documented].filter((r) => !classified.has(r)).sort(),
      gone: [...classified].filter((r) => !documented.has(r)).sort(),
    }).toEqual({ unclassified: [], gone: [] });
  });

  it('finds every controller route in the OpenAPI document (a hidden route is no way around the table)', async () => {
    const doc = (await call<OpenApiDoc>(t.app, 'GET', '/openapi.json')).body;
    const documented = new Set(documentedRoutes(doc));
    const registered = controllerRoutes(t.app);
    expect(registered.length).toBeGreaterThan(50);
    expect(registered.filter((r) => !documented.has(r)).sort()).toEqual([]);
  });

  it('authenticates each caller as intended', async () => {
    const seen: Record<string, unknown> = {};
    for (const a of callers) {
      const me = await call(t.app, 'GET', '/v1/me', {
        headers: a.authorization ? { authorization: a.authorization } : {},
      });
      seen[a.key] = me.status === 200 ? [me.body.id, me.body.authenticatedVia] : me.status;
    }
    expect(seen).toEqual(
      Object.fromEntries(callers.map((a) => [a.key, a.role ? [a.userId, a.via] : 401])),
    );
  });

  const label = (check: Check) =>
    `${check.route}${check.subject ? ` [${check.subject}]` : ''}${check.note ? ` (${check.note})` : ''}`;

  it.each(CHECKS.map((check) => [label(check), check] as const))('%s', async (_label, check) => {
    const [method, template] = check.route.split(' ') as [
      'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      string,
    ];
    const results = await Promise.all(
      callers.map(async (a) => {
        const expected = check.expect(a);
        const req = (await check.request?.(w, a, expected < 300)) ?? {};
        const url = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
          const value = req.params?.[name];
          if (value === undefined) throw new Error(`${check.route}: no value for {${name}}`);
          return encodeURIComponent(value);
        });
        const answer = await call(t.app, method, url, {
          headers: {
            ...req.headers,
            ...(a.authorization ? { authorization: a.authorization } : {}),
          },
          query: req.query,
          body: req.body,
          raw: req.raw,
        });
        return { a, expected, answer };
      }),
    );
    const wrong = results
      .filter(({ expected, answer }) => answer.status !== expected)
      .map(
        ({ a, expected, answer }) =>
          `${label(check)} as ${a.key}: expected ${expected}, got ${answer.status}` +
          (answer.status >= 400 ? ` ${answer.text.slice(0, 300)}` : ''),
      );
    if (!check.notTheCallersView) {
      for (const { a, answer } of results) {
        for (const { what, text } of secretsHiddenFrom(a)) {
          if (answer.text.includes(text)) {
            wrong.push(`${label(check)} as ${a.key}: the answer holds the ${what}`);
          }
        }
      }
    }
    // No rule expects a 5xx, so any 5xx is reported here too.
    if (wrong.length > 0) throw new Error(wrong.join('\n'));
  });
});
