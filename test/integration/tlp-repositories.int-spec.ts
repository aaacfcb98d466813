import { createHash, randomUUID } from 'node:crypto';
import { CalendarFeedRepository } from '../../src/calendar/calendar-feed.repository';
import { CasesRepository } from '../../src/cases/cases.repository';
import { Actor, Role } from '../../src/common/auth/actor';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { TransactionRunner } from '../../src/database/transaction';
import { CampaignsRepository } from '../../src/patterns/campaigns.repository';
import { AnnualReportRepository } from '../../src/reports/annual/annual-report.repository';
import { createOrganization, createUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The TLP rule in every repository read that applies it, on real PostgreSQL and without HTTP:
 * records at each level owned by organisation A, read by eight actors, and each answer compared
 * with what the rule (written again below over plain values, never with the code under test)
 * says that actor may see.
 */

type Level = 'RED' | 'AMBER+STRICT' | 'AMBER' | 'GREEN' | 'CLEAR';
const LEVELS: Level[] = ['RED', 'AMBER', 'AMBER+STRICT', 'GREEN', 'CLEAR'];

/** What the rule looks at, as plain values. */
interface Shared {
  tlp: Level;
  organizationId: string;
  createdBy: string;
  sharedOrganizationIds: string[];
  sharedUserIds: string[];
}

type Reader = Pick<Actor, 'userId' | 'organizationId'>;

/** DESIGN.md "Sharing": the oracle every repository answer is compared with. */
function mayRead(reader: Reader, r: Shared): boolean {
  switch (r.tlp) {
    case 'RED':
      return r.createdBy === reader.userId || r.sharedUserIds.includes(reader.userId);
    case 'AMBER+STRICT':
      return r.organizationId === reader.organizationId;
    case 'AMBER':
      return (
        r.organizationId === reader.organizationId ||
        r.sharedOrganizationIds.includes(reader.organizationId)
      );
    case 'GREEN':
    case 'CLEAR':
      return true;
  }
}

const ACTORS = [
  'a1, creator',
  'a2, member of A',
  'org_admin of A',
  'b1, named on RED',
  'b2, member of B',
  'c1, member of C',
  'org_admin of C',
  'admin of the coordination',
] as const;
type ActorName = (typeof ACTORS)[number];

/** Which of A's records each actor may see, written out by hand: checks the oracle itself. */
const BY_HAND: Record<ActorName, Level[]> = {
  'a1, creator': ['RED', 'AMBER', 'AMBER+STRICT', 'GREEN', 'CLEAR'],
  'a2, member of A': ['AMBER', 'AMBER+STRICT', 'GREEN', 'CLEAR'],
  'org_admin of A': ['AMBER', 'AMBER+STRICT', 'GREEN', 'CLEAR'],
  'b1, named on RED': ['RED', 'AMBER', 'GREEN', 'CLEAR'],
  'b2, member of B': ['AMBER', 'GREEN', 'CLEAR'],
  'c1, member of C': ['GREEN', 'CLEAR'],
  'org_admin of C': ['GREEN', 'CLEAR'],
  'admin of the coordination': ['GREEN', 'CLEAR'],
};

interface CaseRecord extends Shared {
  id: string;
  label: string;
  reference: string;
  escalatedAt: Date;
  inCampaign: boolean;
}

interface ContactRecord extends Shared {
  id: string;
  label: string;
  platformId: string;
  platformCode: string;
  leftOn: string | null;
  successorId: string | null;
  openTenureId: string | null;
}

const YEAR_FROM = new Date('2025-01-01T00:00:00Z');
const YEAR_TO = new Date('2026-01-01T00:00:00Z');
const NOW = new Date('2026-02-01T00:00:00Z');
const INDICATOR = '@tlp_matrix_attacker';
const INDICATOR_HASH = createHash('sha256').update(INDICATOR).digest('hex');

const sorted = (values: string[]) => [...values].sort();

describe('TLP in the repositories (real PostgreSQL, no HTTP)', () => {
  let t: TestApp;
  const actors = new Map<ActorName, Actor>();
  /** Every id this file created, to its label: answers are compared as labels (readable diffs). */
  const labels = new Map<string, string>();
  const cases: CaseRecord[] = [];
  const contacts: ContactRecord[] = [];
  /** One contact per level (each on a platform of its own, gone in 2025) and its predecessor. */
  const levelled: ContactRecord[] = [];
  const predecessors: ContactRecord[] = [];
  /** A platform each levelled contact covers besides its own. */
  let coveredPlatformId: string;
  let campaignId: string;

  const actor = (name: ActorName): Actor => actors.get(name)!;
  const label = (id: string) => labels.get(id) ?? `unknown ${id}`;
  const labelsOf = (ids: string[]) => sorted(ids.map(label));
  const visibleLabels = (name: ActorName, records: (Shared & { label: string })[]) =>
    sorted(records.filter((r) => mayRead(actor(name), r)).map((r) => r.label));

  beforeAll(async () => {
    t = await createTestApp();
    const [a, b, c, coordination] = await Promise.all([
      createOrganization(t.app),
      createOrganization(t.app),
      createOrganization(t.app),
      createOrganization(t.app, { countries: [], languages: ['en'] }),
    ]);
    const users: [ActorName, string, Role][] = [
      ['a1, creator', a.id, 'member'],
      ['a2, member of A', a.id, 'member'],
      ['org_admin of A', a.id, 'org_admin'],
      ['b1, named on RED', b.id, 'member'],
      ['b2, member of B', b.id, 'member'],
      ['c1, member of C', c.id, 'member'],
      ['org_admin of C', c.id, 'org_admin'],
      ['admin of the coordination', coordination.id, 'admin'],
    ];
    const created = await Promise.all(users.map(([, org, role]) => createUser(t.app, org, role)));
    users.forEach(([name, organizationId, role], i) =>
      actors.set(name, { userId: created[i].id, organizationId, role, via: 'jwt' }),
    );
    const a1 = actor('a1, creator').userId;
    const b1 = actor('b1, named on RED').userId;

    // Cases: one per level owned by A (created by a1), each escalated in its own month of 2025
    // (so the annual report's month section tells which were counted). Two cases of B and C
    // carry the same indicator, so their members may ask for matches: B's is RED (only b1,
    // who created it, may see it), C's is AMBER+STRICT.
    const [{ id: platformId }] = await t.db.query(
      `SELECT id FROM platforms WHERE code = 'facebook'`,
    );
    const [{ id: channelId }] = await t.db.query(
      `SELECT id FROM channels WHERE platform_id = $1 AND code = 'trusted_partner'`,
      [platformId],
    );
    const caseOf = (
      label: string,
      month: number,
      shared: Shared,
      inCampaign: boolean,
    ): CaseRecord => ({
      id: randomUUID(),
      label,
      reference: `ESC-2025-TLP${String(month).padStart(3, '0')}`,
      escalatedAt: new Date(Date.UTC(2025, month - 1, 10, 9)),
      inCampaign,
      ...shared,
    });
    const ofA = (tlp: Level): Shared => ({
      tlp,
      organizationId: a.id,
      createdBy: a1,
      sharedOrganizationIds: tlp === 'AMBER' ? [b.id] : [],
      sharedUserIds: tlp === 'RED' ? [b1] : [],
    });
    LEVELS.forEach((tlp, i) => cases.push(caseOf(`case ${tlp}`, i + 1, ofA(tlp), true)));
    const none = { sharedOrganizationIds: [], sharedUserIds: [] };
    cases.push(
      caseOf(
        'case RED of B',
        6,
        { tlp: 'RED', organizationId: b.id, createdBy: b1, ...none },
        false,
      ),
      caseOf(
        'case AMBER+STRICT of C',
        7,
        {
          tlp: 'AMBER+STRICT',
          organizationId: c.id,
          createdBy: actor('c1, member of C').userId,
          ...none,
        },
        true,
      ),
    );
    for (const r of cases) {
      labels.set(r.id, r.label);
      // Escalated and waiting, clock running: on the calendar with its deadline and a reminder.
      await t.db.query(
        `INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id,
           title, summary, category_code, country, tlp, shared_organization_ids, shared_user_ids,
           consent_to_share_pattern, status, escalated_at, due_at, next_reminder_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'Coordinated harassment.', 'doxxing', 'BO', $8::tlp,
           $9::uuid[], $10::uuid[], true, 'escalated', $11::timestamptz,
           $11::timestamptz + interval '72 hours', $11::timestamptz + interval '144 hours')`,
        [
          r.id,
          r.reference,
          r.organizationId,
          r.createdBy,
          platformId,
          channelId,
          r.label,
          r.tlp,
          r.sharedOrganizationIds,
          r.sharedUserIds,
          r.escalatedAt,
        ],
      );
      await t.db.query(
        `INSERT INTO case_indicators (case_id, organization_id, kind, value, value_hash)
         VALUES ($1, $2, 'account_handle', $3, $4)`,
        [r.id, r.organizationId, INDICATOR, INDICATOR_HASH],
      );
    }

    // A campaign linking A's cases and C's. A's RED case is linked too, which the service never
    // lets happen (a case going RED leaves the shared repository, and its campaigns with it):
    // this read must apply the whole rule, not rely on that.
    [{ id: campaignId }] = await t.db.query(
      `INSERT INTO campaigns (first_seen, last_seen) VALUES ('2025-01-10', '2025-07-10') RETURNING id`,
    );
    for (const r of cases.filter((x) => x.inCampaign)) {
      await t.db.query(
        `INSERT INTO pattern_records (case_id, organization_id, month, platform, channel,
           channel_kind, category, subcategory, dsa_category, country, target_groups, urgency,
           outcome, acknowledged, resolved, overdue, paused_seconds, reason_given,
           context_understood, harm_recognised_as_gendered, retraumatising_proof_requested,
           indicator_hashes, record_key)
         VALUES ($1, $2, date_trunc('month', $3::timestamptz)::date, 'facebook',
           'trusted_partner', 'trusted_partner', 'doxxing', 'none', 'none', 'BO', '{}', 'normal',
           'pending', false, false, true, 0, 'unknown', 'unknown', 'unknown', 'unknown',
           ARRAY[$4]::char(64)[], 7)`,
        [r.id, r.organizationId, r.escalatedAt, INDICATOR_HASH],
      );
      await t.db.query('INSERT INTO campaign_cases (campaign_id, case_id) VALUES ($1, $2)', [
        campaignId,
        r.id,
      ]);
    }

    // Contacts (they name no users: RED is for their creator alone): one per level owned by A
    // (created by a1), each on a platform of its own and gone in 2025 (departures per platform
    // tell which were counted), all succeeded by S. Each was itself the successor of a GREEN
    // predecessor gone in 2024, whose successor is named only to readers who may see it. The
    // levelled contacts keep an open tenure: the rule is under test, not the history.
    const platforms: { id: string; code: string }[] = await t.db.query(
      `INSERT INTO platforms (code, name)
       SELECT 'tlp_' || x, 'TLP ' || x FROM unnest($1::text[]) AS x RETURNING id, code`,
      [LEVELS.map((l) => l.toLowerCase().replace('+', '_'))],
    );
    const contactOf = (
      label: string,
      shared: Shared,
      rest: Partial<ContactRecord> = {},
    ): ContactRecord => ({
      id: randomUUID(),
      label,
      platformId,
      platformCode: 'facebook',
      leftOn: null,
      successorId: null,
      openTenureId: null,
      ...shared,
      ...rest,
    });
    const successor = contactOf('successor S (GREEN)', ofA('GREEN'), {
      openTenureId: randomUUID(),
    });
    contacts.push(successor);
    LEVELS.forEach((tlp, i) => {
      const k = contactOf(
        `contact ${tlp}`,
        { ...ofA(tlp), sharedUserIds: [] },
        {
          platformId: platforms[i].id,
          platformCode: platforms[i].code,
          leftOn: `2025-0${i + 1}-15`,
          successorId: successor.id,
          openTenureId: randomUUID(),
        },
      );
      const p = contactOf(`predecessor of contact ${tlp} (GREEN)`, ofA('GREEN'), {
        leftOn: `2024-0${i + 1}-15`,
        successorId: k.id,
      });
      levelled.push(k);
      predecessors.push(p);
    });
    contacts.push(...levelled, ...predecessors);
    for (const r of contacts) {
      labels.set(r.id, r.label);
      if (r.openTenureId) labels.set(r.openTenureId, `tenure of ${r.label}`);
    }
    // In this order, successors before those naming them (the foreign key).
    for (const r of contacts) {
      await t.db.query(
        `INSERT INTO contacts (id, platform_id, organization_id, created_by, full_name, tlp,
           shared_organization_ids, status, left_on, successor_id)
         VALUES ($1, $2, $3, $4, $5, $6::tlp, $7::uuid[], $8::contact_status, $9::date, $10)`,
        [
          r.id,
          r.platformId,
          r.organizationId,
          r.createdBy,
          r.label,
          r.tlp,
          r.sharedOrganizationIds,
          r.leftOn ? 'left' : 'active',
          r.leftOn,
          r.successorId,
        ],
      );
      if (r.openTenureId) {
        await t.db.query(
          `INSERT INTO contact_tenures (id, contact_id, title, started_on)
           VALUES ($1, $2, 'Trust and safety', '2023-01-01')`,
          [r.openTenureId, r.id],
        );
      }
    }
    // Coverage of further platforms (issue 16): each predecessor also covers the platform of the
    // contact who replaced it, and every levelled contact covers one shared platform Q.
    [{ id: coveredPlatformId }] = await t.db.query(
      `INSERT INTO platforms (code, name) VALUES ('tlp_covered', 'TLP covered') RETURNING id`,
    );
    await t.db.query(
      `INSERT INTO contact_platforms (contact_id, platform_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
      [
        [...predecessors.map((p) => p.id), ...levelled.map((k) => k.id)],
        [...levelled.map((k) => k.platformId), ...levelled.map(() => coveredPlatformId)],
      ],
    );
  });

  afterAll(() => t?.close());

  const casesOfA = () => cases.filter((r) => r.organizationId === cases[0].organizationId);

  it.each(ACTORS)('the oracle gives the matrix written by hand, for %s', (name) => {
    expect(visibleLabels(name, casesOfA())).toEqual(
      sorted(BY_HAND[name].map((tlp) => `case ${tlp}`)),
    );
  });

  describe('CasesRepository', () => {
    const repo = () => t.app.get(CasesRepository);

    it.each(ACTORS)(
      'findVisible finds exactly the cases %s may see, locked or not',
      async (name) => {
        const found = await Promise.all(cases.map((r) => repo().findVisible(actor(name), r.id)));
        const locked = await t.app
          .get(TransactionRunner)
          .run((em) =>
            Promise.all(cases.map((r) => repo().findVisible(actor(name), r.id, em, true))),
          );
        const ids = (rows: ({ id: string } | null)[]) =>
          labelsOf(rows.filter((row) => row !== null).map((row) => row.id));
        expect({ plain: ids(found), locked: ids(locked) }).toEqual({
          plain: visibleLabels(name, cases),
          locked: visibleLabels(name, cases),
        });
      },
    );

    it.each(ACTORS)('list answers exactly the cases %s may see', async (name) => {
      const rows = await repo().list(actor(name), { limit: 50 }, NOW);
      expect(labelsOf(rows.map((r) => r.id))).toEqual(visibleLabels(name, cases));
    });

    it.each(ACTORS)('count counts exactly the cases %s may see', async (name) => {
      const expected = cases.filter((r) => mayRead(actor(name), r)).length;
      await expect(repo().count(actor(name), {}, NOW)).resolves.toBe(expected);
    });

    it.each(ACTORS)('matches follows its own rule for %s', async (name) => {
      const reader = actor(name);
      // Every case carries the indicator. It is answered only for a value the reader's
      // organisation logged in a case the reader may see; for any other, as if nobody had.
      const asked = cases.some(
        (r) => r.organizationId === reader.organizationId && mayRead(reader, r),
      );
      // Other organisations' cases, RED ones only where the reader may see them.
      const counted = asked
        ? cases.filter(
            (r) =>
              r.organizationId !== reader.organizationId && (r.tlp !== 'RED' || mayRead(reader, r)),
          )
        : [];
      const answer = await repo().matches(reader, INDICATOR_HASH);
      expect({
        organizations: answer.organizations,
        cases: answer.cases,
        visible: labelsOf(answer.visible.map((v) => v.id)),
      }).toEqual({
        organizations: new Set(counted.map((r) => r.organizationId)).size,
        cases: counted.length,
        visible: visibleLabels(name, counted),
      });
      for (const v of answer.visible) {
        expect(v.reference).toBe(cases.find((r) => r.id === v.id)?.reference);
      }
    });
  });

  describe('CampaignsRepository', () => {
    it.each(ACTORS)('visibleCases answers the campaign cases %s may see', async (name) => {
      const rows = await t.app
        .get(CampaignsRepository)
        .visibleCases(t.db.manager, actor(name), [campaignId]);
      expect(rows.every((r) => r.campaignId === campaignId)).toBe(true);
      expect(labelsOf(rows.map((r) => r.id))).toEqual(
        visibleLabels(
          name,
          cases.filter((r) => r.inCampaign),
        ),
      );
    });
  });

  describe('AnnualReportRepository', () => {
    it.each(ACTORS)('figures count only the own organisation cases %s may see', async (name) => {
      const reader = actor(name);
      const counted = cases.filter(
        (r) =>
          r.organizationId === reader.organizationId &&
          r.escalatedAt >= YEAR_FROM &&
          r.escalatedAt < YEAR_TO &&
          mayRead(reader, r),
      );
      const rows = await t.app.get(AnnualReportRepository).figures(reader, YEAR_FROM, YEAR_TO, NOW);
      const months = rows.flatMap((r) =>
        r.section === 'month' ? [{ month: r.month, escalations: r.escalations }] : [],
      );
      expect(months.sort((x, y) => x.month.localeCompare(y.month))).toEqual(
        counted
          .map((r) => ({ month: r.escalatedAt.toISOString().slice(0, 7), escalations: 1 }))
          .sort((x, y) => x.month.localeCompare(y.month)),
      );
      const totals = rows.find((r) => r.section === 'totals');
      expect(totals?.escalations).toBe(counted.length);
    });
  });

  describe('CalendarFeedRepository', () => {
    it.each(ACTORS)(
      'entries are the deadlines and reminders of the cases %s may see',
      async (name) => {
        const entries = await t.app.get(CalendarFeedRepository).entries(actor(name), 100);
        expect(sorted(entries.map((e) => `${e.kind} ${label(e.caseId)}`))).toEqual(
          sorted(
            cases
              .filter((r) => mayRead(actor(name), r))
              .flatMap((r) => [`due ${r.label}`, `follow_up ${r.label}`]),
          ),
        );
      },
    );
  });

  describe('ContactsRepository', () => {
    const repo = () => t.app.get(ContactsRepository);
    const byId = (id: string) => contacts.find((r) => r.id === id)!;
    /**
     * Each contact the reader may see, with its successor named only if visible too; `suggested`
     * (best=true) leaves out those who left, as suggestions never name them.
     */
    const asExpected = (name: ActorName, suggested = false) =>
      sorted(
        contacts
          .filter((r) => mayRead(actor(name), r))
          .filter((r) => !suggested || !r.leftOn)
          .map((r) => {
            const seen = r.successorId !== null && mayRead(actor(name), byId(r.successorId));
            return `${r.label} -> ${seen ? label(r.successorId!) : 'none'}`;
          }),
      );
    const asAnswered = (rows: { id: string; successorId: string | null }[]) =>
      sorted(rows.map((r) => `${label(r.id)} -> ${r.successorId ? label(r.successorId) : 'none'}`));

    it.each(ACTORS)(
      'findVisible finds exactly the contacts %s may see, successors as seen, locked or not',
      async (name) => {
        const found = await Promise.all(contacts.map((r) => repo().findVisible(actor(name), r.id)));
        const locked = await t.app
          .get(TransactionRunner)
          .run((em) =>
            Promise.all(contacts.map((r) => repo().findVisible(actor(name), r.id, em, true))),
          );
        expect({
          plain: asAnswered(found.filter((row) => row !== null)),
          locked: asAnswered(locked.filter((row) => row !== null)),
        }).toEqual({ plain: asExpected(name), locked: asExpected(name) });
      },
    );

    it.each(ACTORS)(
      'list answers exactly the contacts %s may see, successors as seen',
      async (name) => {
        expect(asAnswered(await repo().list(actor(name), { limit: 50 }))).toEqual(asExpected(name));
      },
    );

    it.each(ACTORS)(
      'list ranked best first answers the same contacts for %s, but those who left',
      async (name) => {
        const rows = await repo().list(actor(name), {
          limit: 50,
          best: true,
          country: 'BO',
          language: 'es',
        });
        expect(asAnswered(rows)).toEqual(asExpected(name, true));
      },
    );

    it.each(ACTORS)(
      'list by platform answers the contacts %s may see working for it or covering it',
      async (name) => {
        const byPlatform = await Promise.all(
          [...levelled.map((k) => k.platformId), coveredPlatformId].map((platformId) =>
            repo().list(actor(name), { limit: 50, platformId }),
          ),
        );
        const expected = [
          ...levelled.map((k, i) => visibleLabels(name, [k, predecessors[i]])),
          visibleLabels(name, levelled),
        ];
        expect(byPlatform.map((rows) => labelsOf(rows.map((r) => r.id)))).toEqual(expected);
        expect(byPlatform[levelled.length].map((r) => [label(r.id), r.otherPlatformIds])).toEqual(
          byPlatform[levelled.length].map((r) => [label(r.id), [coveredPlatformId]]),
        );
      },
    );

    it.each(ACTORS)(
      'best for a platform suggests the successor of the departed contacts %s may see covering it',
      async (name) => {
        // S replaced every levelled contact (each covering its platform and Q); each of those
        // replaced a GREEN predecessor. The chain back from S stops at a contact the reader may
        // not see, so S is suggested only through what the reader may see.
        const suggested = await Promise.all(
          [...levelled.map((k) => k.platformId), coveredPlatformId].map((platformId) =>
            repo().list(actor(name), { limit: 50, platformId, best: true, country: 'BO' }),
          ),
        );
        const successorIf = (visible: boolean) =>
          visible ? [label(levelled[0].successorId!)] : [];
        expect(suggested.map((rows) => labelsOf(rows.map((r) => r.id)))).toEqual([
          ...levelled.map((k) => successorIf(mayRead(actor(name), k))),
          successorIf(levelled.some((k) => mayRead(actor(name), k))),
        ]);
      },
    );

    it.each(ACTORS)('listForPlatform answers the contacts %s may see', async (name) => {
      const rows = await Promise.all(
        levelled.map((k) => repo().listForPlatform(actor(name), k.platformId)),
      );
      expect(labelsOf(rows.flat().map((r) => r.id))).toEqual(visibleLabels(name, levelled));
    });

    it.each(ACTORS)('departuresByPlatform counts the departures %s may see', async (name) => {
      const departures = await repo().departuresByPlatform(actor(name), '2025-01-01', '2025-12-31');
      expect(Object.fromEntries(departures)).toEqual(
        Object.fromEntries(
          contacts
            .filter((r) => r.leftOn?.startsWith('2025') && mayRead(actor(name), r))
            .map((r) => [r.platformCode, 1]),
        ),
      );
    });

    it.each(ACTORS)('openTenures answers the tenures of contacts %s may see', async (name) => {
      const tenures = await repo().openTenures(
        actor(name),
        contacts.map((r) => r.id),
      );
      expect(labelsOf(tenures.map((x) => x.id))).toEqual(
        sorted(
          contacts
            .filter((r) => r.openTenureId && mayRead(actor(name), r))
            .map((r) => `tenure of ${r.label}`),
        ),
      );
    });

    it.each(ACTORS)('successorChain stops at the first successor %s may not see', async (name) => {
      const chains = await Promise.all(
        predecessors.map((p) => repo().successorChain(actor(name), p.id)),
      );
      const expected = predecessors.map((p) => {
        const chain: string[] = [];
        for (let next = p.successorId; next && mayRead(actor(name), byId(next));) {
          chain.push(label(next));
          next = byId(next).successorId;
        }
        return chain;
      });
      expect(chains.map((chain) => chain.map((c) => label(c.id)))).toEqual(expected);
    });

    it.each(ACTORS)('predecessorIds answers the predecessors %s may see', async (name) => {
      const successor = byId(levelled[0].successorId!);
      const ids = await repo().predecessorIds(actor(name), successor.id);
      expect(ids.map(label)).toEqual(
        contacts
          .filter((r) => r.successorId === successor.id && mayRead(actor(name), r))
          .sort((x, y) => x.leftOn!.localeCompare(y.leftOn!))
          .map((r) => r.label),
      );
    });
  });
});
