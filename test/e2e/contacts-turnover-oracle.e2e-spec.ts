import { parse } from 'csv-parse/sync';
import { ContactsProcessor } from '../../src/contacts/contacts.processor';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { TransactionRunner } from '../../src/database/transaction';
import { createContact, createPlatform } from '../factories/contact.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Contact turnover against an oracle (issue 15): GET /v1/platforms/:code/turnover (departures,
 * median tenure, contacts by status, longest uncovered stretch per country) and the platform
 * scorecard's `contactDepartures` (JSON and CSV), recomputed here from the raw rows (`contacts`,
 * `contact_tenures`, the `departed` entries of `contact_events`) with the definitions of the
 * answers' documentation, for several readers (TLP) and periods. The data goes in through the
 * API: contacts, tenures, departures with successors, a status change, and the staleness sweep
 * (run by hand, as the worker would, on a clock moved past CONTACT_STALE_DAYS).
 *
 * Awkward cases: a contact with several tenures (a role change, an earlier role), an open
 * tenure, tenures without countries (the contact's count), a successor, contacts without any
 * tenure (covering from when they were recorded until they left), RED / AMBER+STRICT / AMBER
 * contacts of other organisations, a country whose only contact left before the period, a
 * country nobody covers in the period, departures on the period's first and last days and
 * outside it, a second platform, and a default period ending on 29 February.
 */

const DAY = 86_400_000;
const TODAY = new Date().toISOString().slice(0, 10);
const Y = Number(TODAY.slice(0, 4)) - 1;
const C = Y + 1;
const d = (monthDay: string, year = Y) => `${year}-${monthDay}`;

type Who = 'a' | 'a2' | 'aViewer' | 'b' | 'bViewer' | 'c';
type Tlp = 'RED' | 'AMBER+STRICT' | 'AMBER' | 'GREEN' | 'CLEAR';

interface Tenure {
  countries?: string[];
  startedOn: string;
  endedOn?: string;
}

interface Person {
  name: string;
  platform: 'p' | 'q';
  by: 'a' | 'a2' | 'b';
  tlp?: Tlp;
  shareWith?: 'A' | 'B';
  countries: string[];
  tenures?: Tenure[];
  left?: { on: string; successor?: string };
  unresponsive?: true;
  /** Not verified again when the staleness sweep runs: it becomes `unverified`. */
  stale?: true;
}

const PEOPLE: Person[] = [
  {
    name: 'successor',
    platform: 'p',
    by: 'a',
    countries: ['EC'],
    tenures: [{ countries: ['EC'], startedOn: d('03-15') }],
  },
  {
    name: 'two roles, then left for the successor',
    platform: 'p',
    by: 'a',
    countries: ['EC', 'BO'],
    tenures: [
      { countries: ['EC'], startedOn: d('06-01', Y - 1), endedOn: d('12-31', Y - 1) },
      { startedOn: d('01-01') },
    ],
    left: { on: d('03-01'), successor: 'successor' },
  },
  {
    name: "B's, AMBER+STRICT",
    platform: 'p',
    by: 'b',
    tlp: 'AMBER+STRICT',
    countries: ['BO'],
    tenures: [{ countries: ['BO'], startedOn: d('02-01') }],
    left: { on: d('06-30') },
  },
  {
    name: "A's, RED (its creator alone)",
    platform: 'p',
    by: 'a',
    tlp: 'RED',
    countries: ['PE'],
    tenures: [{ countries: ['PE'], startedOn: d('05-01') }],
    left: { on: d('05-31') },
  },
  {
    name: 'no tenure, left before it was recorded',
    platform: 'p',
    by: 'a',
    countries: ['MX'],
    left: { on: d('08-10') },
  },
  {
    name: 'left the year before',
    platform: 'p',
    by: 'b',
    countries: ['CO'],
    tenures: [{ countries: ['CO'], startedOn: d('01-01', Y - 1) }],
    left: { on: d('11-30', Y - 1) },
  },
  { name: 'no tenure, still there', platform: 'p', by: 'a', countries: ['AR'] },
  {
    name: 'long-serving, two roles back to back',
    platform: 'p',
    by: 'a',
    countries: ['SV'],
    tenures: [{ startedOn: d('02-01', Y - 1), endedOn: d('06-30') }, { startedOn: d('07-01') }],
  },
  {
    name: 'unresponsive',
    platform: 'p',
    by: 'a',
    countries: ['EC'],
    tenures: [{ countries: ['EC'], startedOn: d('07-01') }],
    unresponsive: true,
  },
  {
    name: 'never verified again',
    platform: 'p',
    by: 'a',
    countries: ['CL'],
    tenures: [{ countries: ['CL'], startedOn: d('09-01') }],
    stale: true,
  },
  {
    name: 'AMBER shared with B, changed roles',
    platform: 'p',
    by: 'a',
    tlp: 'AMBER',
    shareWith: 'B',
    countries: ['UY'],
    tenures: [
      { countries: ['UY'], startedOn: d('04-01'), endedOn: d('10-15') },
      { countries: ['UY'], startedOn: d('10-16') },
    ],
  },
  {
    name: "a colleague's AMBER+STRICT, left on the last day of the year",
    platform: 'p',
    by: 'a2',
    tlp: 'AMBER+STRICT',
    countries: ['EC', 'PE'],
    tenures: [{ startedOn: d('11-01') }],
    left: { on: d('12-31') },
  },
  {
    name: 'left on the first day of this year',
    platform: 'p',
    by: 'b',
    countries: ['BO'],
    tenures: [{ countries: ['BO'], startedOn: d('09-15') }],
    left: { on: d('01-01', C) },
  },
  {
    name: 'left on the first day of the year',
    platform: 'p',
    by: 'a',
    countries: ['GT'],
    tenures: [{ countries: ['GT'], startedOn: d('03-01', Y - 1) }],
    left: { on: d('01-01') },
  },
  { name: 'CLEAR, no countries', platform: 'p', by: 'a', tlp: 'CLEAR', countries: [] },
  {
    name: "B's AMBER shared with A",
    platform: 'p',
    by: 'b',
    tlp: 'AMBER',
    shareWith: 'A',
    countries: ['HN'],
    tenures: [{ countries: ['HN'], startedOn: d('01-10') }],
    left: { on: d('02-10') },
  },
  {
    name: 'second platform, left in April',
    platform: 'q',
    by: 'a',
    countries: ['EC'],
    tenures: [{ countries: ['EC'], startedOn: d('05-01', Y - 1) }],
    left: { on: d('04-01') },
  },
  {
    name: "second platform, B's AMBER+STRICT, left in May",
    platform: 'q',
    by: 'b',
    tlp: 'AMBER+STRICT',
    countries: ['EC'],
    left: { on: d('05-01') },
  },
  {
    name: 'second platform, left in December',
    platform: 'q',
    by: 'a',
    countries: ['BO'],
    tenures: [{ countries: ['BO'], startedOn: d('02-01') }],
    left: { on: d('12-15') },
  },
];

// ---------------------------------------------------------------------------------------------
// The oracle: the definitions, applied to raw rows.
// ---------------------------------------------------------------------------------------------

interface ContactRaw {
  id: string;
  platform: string;
  organization_id: string;
  created_by: string;
  tlp: Tlp;
  shared_organization_ids: string[];
  countries: string[];
  status: string;
  recorded_on: string;
}

interface TenureRaw {
  contact_id: string;
  countries: string[];
  started_on: string;
  ended_on: string | null;
}

interface DepartureRaw {
  contact_id: string;
  left_on: string;
}

interface Raw {
  contacts: ContactRaw[];
  tenures: TenureRaw[];
  departures: DepartureRaw[];
}

const dayNumber = (date: string) =>
  Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY;

/** TLP 2.0 as DESIGN.md has it (contacts name organisations, never users). */
function mayRead(user: TestUser, c: ContactRaw): boolean {
  switch (c.tlp) {
    case 'GREEN':
    case 'CLEAR':
      return true;
    case 'AMBER+STRICT':
      return c.organization_id === user.organizationId;
    case 'AMBER':
      return (
        c.organization_id === user.organizationId ||
        c.shared_organization_ids.includes(user.organizationId)
      );
    case 'RED':
      return c.created_by === user.id;
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The turnover of one platform over [from, to] (days, both included), over the contacts the
 * reader may see:
 * - departures: contacts who left on a day of the period;
 * - medianTenureDays: median length (end - start, in days) of the tenures that ended in it;
 * - active / unverified / unresponsive / left: contacts by their status now;
 * - longestGapDays: for each country that any coverage names, the longest run of days of the
 *   period on which nobody covered it. A tenure covers its countries (else the contact's) from
 *   its first to its last day (open: to the end); a contact without tenures covers its
 *   countries from the day it was recorded to the day it left (or on).
 * Counted day by day, to be independent of any interval arithmetic.
 */
function turnover(raw: Raw, user: TestUser, platform: string, from: string, to: string) {
  const contacts = raw.contacts.filter((c) => c.platform === platform && mayRead(user, c));
  const ids = new Set(contacts.map((c) => c.id));
  const tenures = raw.tenures.filter((t) => ids.has(t.contact_id));
  const inPeriod = (day: string | null) => day !== null && day >= from && day <= to;
  const status = (s: string) => contacts.filter((c) => c.status === s).length;

  const coverage: { countries: string[]; first: number; last: number }[] = [];
  for (const c of contacts) {
    const own = tenures.filter((t) => t.contact_id === c.id);
    const leftOn = raw.departures.find((x) => x.contact_id === c.id)?.left_on ?? null;
    if (own.length === 0) {
      coverage.push({
        countries: c.countries,
        first: dayNumber(c.recorded_on),
        last: leftOn === null ? Infinity : dayNumber(leftOn),
      });
    }
    for (const t of own) {
      coverage.push({
        countries: t.countries.length > 0 ? t.countries : c.countries,
        first: dayNumber(t.started_on),
        last: t.ended_on === null ? Infinity : dayNumber(t.ended_on),
      });
    }
  }
  const longestGapDays: Record<string, number> = {};
  for (const country of new Set(coverage.flatMap((x) => x.countries))) {
    const mine = coverage.filter((x) => x.countries.includes(country));
    let run = 0;
    let longest = 0;
    for (let day = dayNumber(from); day <= dayNumber(to); day++) {
      const covered = mine.some((x) => x.first <= day && day <= x.last);
      run = covered ? 0 : run + 1;
      longest = Math.max(longest, run);
    }
    longestGapDays[country] = longest;
  }
  return {
    from,
    to,
    departures: raw.departures.filter((x) => ids.has(x.contact_id) && inPeriod(x.left_on)).length,
    medianTenureDays: median(
      tenures
        .filter((t) => inPeriod(t.ended_on))
        .map((t) => dayNumber(t.ended_on!) - dayNumber(t.started_on)),
    ),
    active: status('active'),
    unverified: status('unverified'),
    unresponsive: status('unresponsive'),
    left: status('left'),
    longestGapDays,
  };
}

/** Departures per platform in the months from..to (YYYY-MM, whole months), as a reader sees them. */
function departuresByPlatform(raw: Raw, user: TestUser, fromMonth: string, toMonth: string) {
  const first = `${fromMonth}-01`;
  const last = new Date(Date.UTC(+toMonth.slice(0, 4), +toMonth.slice(5, 7), 0))
    .toISOString()
    .slice(0, 10);
  const counts = new Map<string, number>();
  for (const x of raw.departures) {
    const c = raw.contacts.find((k) => k.id === x.contact_id)!;
    if (mayRead(user, c) && x.left_on >= first && x.left_on <= last) {
      counts.set(c.platform, (counts.get(c.platform) ?? 0) + 1);
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------

describe('contact turnover against an independent computation from raw rows (e2e)', () => {
  let t: TestApp;
  const users = {} as Record<Who, TestUser>;
  const platforms = {} as Record<'p' | 'q' | 'empty', string>;
  const contactOf = new Map<string, string>();

  async function rawRows(): Promise<Raw> {
    const contacts = (await t.db.query(
      `SELECT c.id, p.code AS platform, c.organization_id, c.created_by, c.tlp::text AS tlp,
              c.shared_organization_ids, c.countries, c.status::text AS status,
              (c.created_at AT TIME ZONE 'UTC')::date::text AS recorded_on
         FROM contacts c JOIN platforms p ON p.id = c.platform_id`,
    )) as ContactRaw[];
    const tenures = (await t.db.query(
      `SELECT contact_id, countries, started_on::text, ended_on::text FROM contact_tenures`,
    )) as TenureRaw[];
    const departures = (await t.db.query(
      `SELECT contact_id, changes->>'leftOn' AS left_on FROM contact_events WHERE type = 'departed'`,
    )) as DepartureRaw[];
    return { contacts, tenures, departures };
  }

  beforeAll(async () => {
    t = await createTestApp();
    const community = await createCommunity(t.app);
    const orgC = await createOrganization(t.app);
    users.a = community.inA.member;
    users.a2 = await createUser(t.app, community.a.id, 'member');
    users.aViewer = community.inA.viewer;
    users.b = community.inB.member;
    users.bViewer = community.inB.viewer;
    users.c = await createUser(t.app, orgC.id, 'member');
    platforms.p = (await createPlatform(t.app, community.admin.token)).code;
    platforms.q = (await createPlatform(t.app, community.admin.token)).code;
    platforms.empty = (await createPlatform(t.app, community.admin.token)).code;
    const orgId = { A: community.a.id, B: community.b.id };

    const ok = async (
      what: string,
      answer: Promise<{ status: number; text: string }>,
      status = 201,
    ) => {
      const { status: got, text } = await answer;
      expect({ what, status: got, text: got === status ? '' : text }).toEqual({
        what,
        status,
        text: '',
      });
    };
    // Successors are recorded before the people they succeed.
    for (const p of PEOPLE) {
      const created = await createContact(t.app, users[p.by].token, {
        platformCode: platforms[p.platform],
        countries: p.countries,
        tlp: p.tlp,
        shareWithOrganizationIds: p.shareWith && [orgId[p.shareWith]],
      });
      contactOf.set(p.name, created.id);
      const token = users[p.by].token;
      for (const tenure of p.tenures ?? []) {
        await ok(
          `${p.name}: tenure`,
          call(t.app, 'POST', `/v1/contacts/${created.id}/tenures`, {
            token,
            body: { title: 'Trust & safety', ...tenure },
          }),
        );
      }
      if (p.unresponsive) {
        await ok(
          `${p.name}: unresponsive`,
          call(t.app, 'PATCH', `/v1/contacts/${created.id}`, {
            token,
            body: { status: 'unresponsive' },
          }),
          200,
        );
      }
      if (p.left) {
        await ok(
          `${p.name}: departure`,
          call(t.app, 'POST', `/v1/contacts/${created.id}/departure`, {
            token,
            body: {
              leftOn: p.left.on,
              reason: 'Moved on',
              ...(p.left.successor && { successorContactId: contactOf.get(p.left.successor) }),
            },
          }),
        );
      }
    }
    // The staleness sweep, run by hand (no workers here) on a clock past CONTACT_STALE_DAYS:
    // contacts verified then stay active, the others become unverified.
    t.clock.advance((t.config.contactStaleDays + 10) * DAY);
    for (const p of PEOPLE.filter((x) => !x.left && !x.stale && !x.unresponsive)) {
      await ok(
        `${p.name}: verified`,
        call(t.app, 'POST', `/v1/contacts/${contactOf.get(p.name)}/verify`, {
          token: users[p.by].token,
          body: {},
        }),
      );
    }
    const tx = t.app.get(TransactionRunner, { strict: false });
    const sweep = new ContactsProcessor(new ContactsRepository(tx), t.config, t.clock);
    await sweep.markStale();
    t.clock.advance(-(t.config.contactStaleDays + 10) * DAY);
  });
  afterAll(() => t?.close());

  const READERS: Who[] = ['a', 'a2', 'aViewer', 'b', 'bViewer', 'c'];
  const PERIODS: [string, string][] = [
    [d('01-01'), d('12-31')],
    [d('03-01'), d('03-31')],
    [d('01-01', Y - 1), d('12-31', Y - 1)],
    [d('12-31'), d('01-01', C)],
    [d('06-15'), d('06-15')],
    [d('01-01', Y - 1), d('12-31')],
    [d('01-01', Y - 3), d('12-31', Y - 3)],
  ];

  const get = (who: Who, platform: string, query: Record<string, string>) =>
    call<ReturnType<typeof turnover>>(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
      token: users[who].token,
      query,
    });

  it('the data covers the awkward cases it claims to (guards the checks below)', async () => {
    const raw = await rawRows();
    const statuses = new Set(raw.contacts.map((c) => c.status));
    expect(statuses).toEqual(new Set(['active', 'unverified', 'unresponsive', 'left']));
    const contactIdsWithTenures = raw.tenures.map((x) => x.contact_id);
    const several = raw.contacts.filter(
      (c) => contactIdsWithTenures.filter((id) => id === c.id).length > 1,
    );
    expect(several.length).toBeGreaterThanOrEqual(2);
    expect(raw.tenures.some((x) => x.ended_on === null)).toBe(true);
    expect(raw.tenures.some((x) => x.countries.length === 0)).toBe(true);
    const successors = (await t.db.query(
      'SELECT count(*)::int AS n FROM contacts WHERE successor_id IS NOT NULL',
    )) as { n: number }[];
    expect(successors[0].n).toBe(1);
    // What TLP hides differs between readers.
    const seen = (who: Who) =>
      raw.contacts
        .filter((c) => mayRead(users[who], c))
        .map((c) => c.id)
        .sort()
        .join();
    expect(new Set(READERS.map(seen)).size).toBe(4);
    const gaps = turnover(raw, users.a, platforms.p, d('01-01'), d('12-31')).longestGapDays;
    expect(gaps.MX).toBe(dayNumber(d('12-31')) - dayNumber(d('01-01')) + 1);
    expect(gaps.CO).toBe(gaps.MX); // its only contact left the year before
    expect(gaps.SV).toBe(0);
  });

  it.each(READERS)('%s: every figure of the turnover, for each period', async (who) => {
    const raw = await rawRows();
    for (const platform of [platforms.p, platforms.q, platforms.empty]) {
      for (const [from, to] of PERIODS) {
        const answer = await get(who, platform, { from, to });
        expect({ platform, from, to, status: answer.status, body: answer.body }).toEqual({
          platform,
          from,
          to,
          status: 200,
          body: turnover(raw, users[who], platform, from, to),
        });
      }
    }
  });

  it('the default period is the year up to today, and up to `to` when only it is given', async () => {
    const raw = await rawRows();
    const yearBefore = (day: string) => {
      // The same day a year earlier; 29 February has none, and becomes 1 March.
      const date = new Date(
        Date.UTC(+day.slice(0, 4) - 1, +day.slice(5, 7) - 1, +day.slice(8, 10)),
      );
      return date.toISOString().slice(0, 10);
    };
    for (const who of ['a', 'b'] as const) {
      const today = new Date().toISOString().slice(0, 10);
      const answer = await get(who, platforms.p, {});
      expect(answer.body).toEqual(turnover(raw, users[who], platforms.p, yearBefore(today), today));
      for (const to of [d('06-30'), '2024-02-29', '2024-03-01', '2023-02-28']) {
        const only = await get(who, platforms.p, { to });
        expect({ to, body: only.body }).toEqual({
          to,
          body: turnover(raw, users[who], platforms.p, yearBefore(to), to),
        });
      }
    }
  });

  it.each(READERS)(
    "%s: the scorecard's contact departures per platform (JSON and CSV)",
    async (who) => {
      const raw = await rawRows();
      const codes = new Set(Object.values(platforms));
      for (const [from, to] of [
        [`${Y}-01`, `${Y}-12`],
        [`${Y}-03`, `${Y}-03`],
        [`${Y}-12`, `${C}-01`],
        [`${Y - 1}-01`, `${Y}-12`],
        [`${Y - 3}-01`, `${Y - 3}-12`],
      ]) {
        const expected = departuresByPlatform(raw, users[who], from, to);
        const json = await call<{ platforms: { platform: string; contactDepartures: number }[] }>(
          t.app,
          'GET',
          '/v1/reports/platform-scorecard',
          { token: users[who].token, query: { from, to } },
        );
        expect(json.status).toBe(200);
        // This file logs no case: only our platforms with departures are listed, with the count.
        const listed = json.body.platforms.filter((p) => codes.has(p.platform));
        expect({ from, to, listed }).toEqual({
          from,
          to,
          listed: [...codes]
            .sort()
            .filter((code) => expected.has(code))
            .map((code) => ({ platform: code, contactDepartures: expected.get(code) })),
        });
        for (const p of json.body.platforms) {
          expect({ from, to, p }).toEqual({
            from,
            to,
            p: { platform: p.platform, contactDepartures: expected.get(p.platform) ?? 0 },
          });
        }
        const csv = await call(t.app, 'GET', '/v1/reports/platform-scorecard', {
          token: users[who].token,
          query: { from, to, format: 'csv', lang: 'en' },
        });
        expect(csv.status).toBe(200);
        const [header, ...rows] = parse(csv.text, { bom: true }) as string[][];
        // Columns by their header: the platform's code, its channel (empty on a platform's own
        // row) and the departures, wherever the file puts them.
        const [platformColumn, channelColumn] = [
          header.indexOf('Platform'),
          header.indexOf('Channel'),
        ];
        const departuresColumn = header.length - 1;
        expect(Math.min(platformColumn, channelColumn)).toBeGreaterThanOrEqual(0);
        const perPlatform = rows
          .filter((r) => r[channelColumn] === '' && r[departuresColumn] !== '')
          .map((r) => ({
            platform: r[platformColumn],
            contactDepartures: Number(r[departuresColumn]),
          }));
        expect({ from, to, perPlatform }).toEqual({
          from,
          to,
          perPlatform: json.body.platforms,
        });
      }
    },
  );
});
