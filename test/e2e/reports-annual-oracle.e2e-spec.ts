import { parse } from 'csv-parse/sync';
import { NotificationsService } from '../../src/notifications/notifications.service';
import taxonomy from '../../src/cases/data/taxonomy.json';
import { TransactionRunner } from '../../src/database/transaction';
import { CaseDeadlinesRepository } from '../../src/cases/case-deadlines.repository';
import { CaseDeadlinesService } from '../../src/cases/case-deadlines.service';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { ResponseTimesRepository } from '../../src/deadlines/response-times.repository';
import { label } from '../../src/i18n/labels';
import { createPlatform } from '../factories/contact.factory';
import { createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * GET /v1/reports/annual against an oracle (issue 15): every figure of every section, in JSON and
 * in the CSV, is recomputed here from the raw rows (`cases` for who, where and what; the
 * `case_events` timeline for when; `channels` for the deadline) with the definitions of
 * DESIGN.md and of the report's documentation, written out below. The oracle never reads the
 * columns the service derives (status, outcome, escalated_at, first_response_at, resolved_at,
 * due_at, overdue_for, time_to_*), nor the rollups.
 *
 * The data goes in as users put it in, in time order: the service clock is set to each moment
 * of a year of escalations, the deadline sweep runs there as the worker would (this app has no
 * workers), and then the step is recorded. Awkward cases: unanswered (still waiting, closed with
 * no answer), paused (asked for information, resumed or still waiting), reopened (answered again
 * or still open), a draft withdrawn and a withdrawn draft reopened, a critical case (24 h cap),
 * answers logged after they came, answers logged out of order, an imported spreadsheet, RED
 * cases, AMBER cases shared across organisations, three organisations (one with no case),
 * months with no case, the edges of the year.
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The whole minute this file started in: every time of the scenario is whole minutes. */
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;
/** The last full year (the report under test) and the current one. */
const Y = new Date(NOW).getUTCFullYear() - 1;
const C = Y + 1;
const inY = (monthDayTime: string, year = Y) => new Date(`${year}-${monthDayTime}:00.000Z`);
const hoursAgo = (h: number) => new Date(NOW - h * HOUR);

type Who = 'creator' | 'colleague' | 'named' | 'viewer' | 'memberOfB' | 'memberOfC';
/** Our own platforms and channels, so the deadlines are known: `platform.channel` (hours). */
const CHANNELS = {
  'p1.partner': { platform: 'p1', code: 'partner', kind: 'trusted_partner', hours: 72 },
  'p1.webform': { platform: 'p1', code: 'webform', kind: 'public_report', hours: 168 },
  'p2.email': { platform: 'p2', code: 'email', kind: 'email', hours: 48 },
  'p3.dsa': { platform: 'p3', code: 'dsa', kind: 'dsa_notice', hours: 24 },
} as const;
type ChannelKey = keyof typeof CHANNELS;

type Answer = 'yes' | 'no' | 'unknown';
const QUESTIONS = [
  'reasonGiven',
  'contextUnderstood',
  'harmRecognisedAsGendered',
  'retraumatisingProofRequested',
] as const;

interface Step {
  type: string;
  /** Hours after the case was recorded that it happened. */
  at: number;
  outcome?: string;
  /** Response-quality answers, in the order of QUESTIONS (with platform_responded). */
  quality?: [Answer, Answer, Answer, Answer];
  statementOfReasons?: { received: boolean };
  /** Hours after it happened that somebody recorded it (default: at once). */
  loggedLater?: number;
}

/** A case as it happened: recorded at `start` (escalated then, unless `draft`), then its steps. */
interface Journal {
  name: string;
  by: Who;
  channel: ChannelKey;
  category: string;
  start: Date;
  draft?: true;
  urgency?: 'low' | 'normal' | 'high' | 'critical';
  tlp?: 'RED' | 'AMBER+STRICT' | 'AMBER' | 'GREEN' | 'CLEAR';
  shareWithUsers?: Who[];
  shareWithOrganization?: 'A' | 'B';
  steps?: Step[];
}

const JOURNALS: Journal[] = [
  {
    name: 'acknowledged, then removed in time',
    by: 'creator',
    channel: 'p1.partner',
    category: 'harassment',
    start: inY('01-10T08:00'),
    steps: [
      { type: 'platform_acknowledged', at: 10 },
      {
        type: 'platform_responded',
        at: 30,
        outcome: 'content_removed',
        quality: ['yes', 'yes', 'no', 'no'],
        statementOfReasons: { received: true },
      },
    ],
  },
  {
    name: 'suspended in time',
    by: 'creator',
    channel: 'p1.partner',
    category: 'doxxing',
    start: inY('01-20T12:00'),
    steps: [
      {
        type: 'platform_responded',
        at: 50,
        outcome: 'account_suspended',
        quality: ['no', 'unknown', 'yes', 'no'],
      },
    ],
  },
  {
    name: 'no violation found (GREEN)',
    by: 'creator',
    channel: 'p1.webform',
    category: 'hate_speech',
    tlp: 'GREEN',
    start: inY('03-15T09:00'),
    steps: [{ type: 'platform_responded', at: 80, outcome: 'no_violation_found' }],
  },
  {
    name: 'never answered, closed (no_response), overdue on the way',
    by: 'colleague',
    channel: 'p2.email',
    category: 'ncii',
    start: inY('03-20T09:00'),
    steps: [{ type: 'closed', at: 200 }],
  },
  {
    name: 'removed, reopened, suspended after the second deadline started',
    by: 'creator',
    channel: 'p1.partner',
    category: 'harassment',
    start: inY('03-01T10:00'),
    steps: [
      {
        type: 'platform_responded',
        at: 20,
        outcome: 'content_removed',
        quality: ['no', 'no', 'no', 'yes'],
        statementOfReasons: { received: false },
      },
      { type: 'reopened', at: 200 },
      {
        type: 'platform_responded',
        at: 250,
        outcome: 'account_suspended',
        quality: ['yes', 'unknown', 'yes', 'no'],
      },
    ],
  },
  {
    name: 'critical: acknowledged in 4 h, removed after its 24 h cap',
    by: 'creator',
    channel: 'p1.partner',
    category: 'harassment',
    urgency: 'critical',
    start: inY('04-10T10:00'),
    steps: [
      { type: 'platform_acknowledged', at: 4 },
      { type: 'platform_responded', at: 30, outcome: 'content_removed' },
    ],
  },
  {
    name: 'a draft withdrawn before escalation',
    by: 'creator',
    channel: 'p1.partner',
    category: 'threats',
    draft: true,
    start: inY('04-01T09:00'),
    steps: [{ type: 'closed', at: 24 }],
  },
  {
    name: "RED, a colleague's, naming one other member",
    by: 'colleague',
    channel: 'p3.dsa',
    category: 'sextortion',
    tlp: 'RED',
    shareWithUsers: ['named'],
    start: inY('05-05T10:00'),
    steps: [
      {
        type: 'platform_responded',
        at: 40,
        outcome: 'content_removed',
        quality: ['yes', 'yes', 'yes', 'no'],
        statementOfReasons: { received: true },
      },
    ],
  },
  {
    name: 'RED, the creator alone',
    by: 'creator',
    channel: 'p1.partner',
    category: 'sextortion',
    tlp: 'RED',
    start: inY('05-06T10:00'),
    steps: [{ type: 'platform_responded', at: 20, outcome: 'account_suspended' }],
  },
  {
    name: 'a draft withdrawn, then reopened: escalated at the reopening',
    by: 'creator',
    channel: 'p1.partner',
    category: 'impersonation',
    draft: true,
    start: inY('05-01T09:00'),
    steps: [
      { type: 'closed', at: 24 },
      { type: 'reopened', at: 1033 }, // 06-13T10:00
      { type: 'platform_responded', at: 1063, outcome: 'referred_elsewhere' },
    ],
  },
  {
    name: 'never answered, still waiting',
    by: 'creator',
    channel: 'p1.partner',
    category: 'doxxing',
    start: inY('06-01T10:00'),
  },
  {
    name: 'asked for information before the deadline, still waiting for it (clock stopped)',
    by: 'colleague',
    channel: 'p1.partner',
    category: 'impersonation',
    start: inY('07-01T10:00'),
    steps: [{ type: 'platform_requested_info', at: 5 }],
  },
  {
    name: 'no violation, reopened, still open past the new deadline',
    by: 'colleague',
    channel: 'p1.webform',
    category: 'hate_speech',
    start: inY('07-20T10:00'),
    steps: [
      { type: 'platform_responded', at: 48, outcome: 'no_violation_found' },
      { type: 'reopened', at: 100 },
    ],
  },
  {
    name: 'partially actioned after the deadline',
    by: 'creator',
    channel: 'p1.partner',
    category: 'threats',
    start: inY('09-01T10:00'),
    steps: [{ type: 'platform_responded', at: 100, outcome: 'partially_actioned' }],
  },
  {
    name: 'a draft escalated two days later; paused 24 h; answered within the moved deadline',
    by: 'creator',
    channel: 'p1.partner',
    category: 'stalking_surveillance',
    draft: true,
    start: inY('09-10T10:00'),
    steps: [
      { type: 'escalated', at: 48 },
      { type: 'platform_acknowledged', at: 49 },
      { type: 'platform_requested_info', at: 54 },
      { type: 'info_provided', at: 78 },
      { type: 'platform_responded', at: 138, outcome: 'content_removed' },
    ],
  },
  {
    name: 'acknowledged, closed with no outcome long after the deadline',
    by: 'creator',
    channel: 'p2.email',
    category: 'harassment',
    start: inY('10-01T10:00'),
    steps: [
      { type: 'platform_acknowledged', at: 20 },
      { type: 'closed', at: 300 },
    ],
  },
  {
    name: 'asked for information after the deadline, then decided',
    by: 'creator',
    channel: 'p1.partner',
    category: 'harassment',
    start: inY('10-10T10:00'),
    steps: [
      { type: 'platform_requested_info', at: 80 },
      { type: 'info_provided', at: 100 },
      { type: 'platform_responded', at: 120, outcome: 'no_violation_found' },
    ],
  },
  {
    name: 'never answered, closed by us as removed (the content went)',
    by: 'creator',
    channel: 'p2.email',
    category: 'threats',
    start: inY('10-20T10:00'),
    steps: [{ type: 'closed', at: 100, outcome: 'content_removed' }],
  },
  {
    name: 'restricted in time, but logged a day after its deadline',
    by: 'creator',
    channel: 'p1.partner',
    category: 'doxxing',
    start: inY('11-03T10:00'),
    steps: [
      {
        type: 'platform_responded',
        at: 60,
        outcome: 'content_restricted',
        loggedLater: 36,
        quality: ['unknown', 'yes', 'yes', 'no'],
        statementOfReasons: { received: true },
      },
    ],
  },
  {
    name: 'closed unanswered, reopened, acknowledged, closed again',
    by: 'creator',
    channel: 'p2.email',
    category: 'ncii',
    start: inY('12-01T10:00'),
    steps: [
      { type: 'closed', at: 60 },
      { type: 'reopened', at: 70 },
      { type: 'platform_acknowledged', at: 80 },
      { type: 'closed', at: 90 },
    ],
  },
  {
    name: 'the acknowledgement logged first, the earlier request for information after it',
    by: 'creator',
    channel: 'p1.partner',
    category: 'account_compromise', // alone in its category: its times are that row's,
    start: inY('12-10T10:00'),
    steps: [
      { type: 'platform_acknowledged', at: 10 },
      { type: 'platform_requested_info', at: 5, loggedLater: 7 },
      { type: 'info_provided', at: 20 },
      { type: 'platform_responded', at: 40, outcome: 'content_removed' },
    ],
  },
  {
    name: "AMBER, shared with B (counts only in A's report)",
    by: 'creator',
    channel: 'p1.partner',
    category: 'stalking_surveillance',
    tlp: 'AMBER',
    shareWithOrganization: 'B',
    start: inY('12-15T10:00'),
    steps: [{ type: 'platform_responded', at: 10, outcome: 'content_removed' }],
  },
  {
    name: 'the last minute of the year, answered in the next one',
    by: 'creator',
    channel: 'p2.email',
    category: 'harassment',
    start: inY('12-31T23:59'),
    steps: [{ type: 'platform_responded', at: 2, outcome: 'content_restricted' }],
  },
  {
    name: 'the year before, its last minute',
    by: 'creator',
    channel: 'p1.partner',
    category: 'harassment',
    start: inY('12-31T23:59', Y - 1),
    steps: [{ type: 'platform_responded', at: 12, outcome: 'content_removed' }],
  },
  {
    name: 'this year, at midnight on 1 January; acknowledged, still waiting',
    by: 'creator',
    channel: 'p2.email',
    category: 'threats',
    start: inY('01-01T00:00', C),
    steps: [{ type: 'platform_acknowledged', at: 3 }],
  },
  {
    name: 'this year, escalated 30 hours ago: not due yet',
    by: 'creator',
    channel: 'p1.partner',
    category: 'doxxing',
    start: hoursAgo(30),
  },
  {
    name: 'this year, asked for information, the deadline passed while the clock stood still',
    by: 'colleague',
    channel: 'p1.webform',
    category: 'harassment',
    start: hoursAgo(200),
    steps: [{ type: 'platform_requested_info', at: 100 }],
  },
  {
    name: 'this year, removed after 10 hours',
    by: 'creator',
    channel: 'p2.email',
    category: 'harassment',
    start: hoursAgo(100),
    steps: [{ type: 'platform_responded', at: 10, outcome: 'content_removed' }],
  },
  {
    name: 'a draft, never escalated',
    by: 'creator',
    channel: 'p1.partner',
    category: 'doxxing',
    draft: true,
    start: inY('02-02T10:00'),
  },
  {
    name: 'B: removed in 6 hours (GREEN)',
    by: 'memberOfB',
    channel: 'p1.partner',
    category: 'harassment',
    tlp: 'GREEN',
    start: inY('04-01T10:00'),
    steps: [{ type: 'platform_responded', at: 6, outcome: 'content_removed' }],
  },
  {
    name: 'B: never answered, closed',
    by: 'memberOfB',
    channel: 'p3.dsa',
    category: 'doxxing',
    start: inY('08-02T10:00'),
    steps: [{ type: 'closed', at: 400 }],
  },
  {
    name: 'B: AMBER shared with A, still waiting',
    by: 'memberOfB',
    channel: 'p3.dsa',
    category: 'threats',
    tlp: 'AMBER',
    shareWithOrganization: 'A',
    start: inY('02-10T10:00'),
  },
];

/** A's spreadsheet of past escalations, imported near the end of the year by the creator. */
const IMPORTED_AT = inY('12-28T12:00');
const IMPORT_COLUMNS = [
  'platform',
  'channel',
  'title',
  'summary',
  'category',
  'country',
  'urgency',
  'tlp',
  'escalated_at',
  'first_response_at',
  'resolved_at',
  'outcome',
  'closed_at',
];
const IMPORTED_ROWS: Record<string, string>[] = [
  {
    // Acknowledged, removed after the deadline (72 h), closed.
    channel: 'p1.partner',
    category: 'harassment',
    escalated_at: `${Y}-01-05T10:00:00Z`,
    first_response_at: `${Y}-01-06T10:00:00Z`,
    resolved_at: `${Y}-01-09T10:00:00Z`,
    outcome: 'content_removed',
    closed_at: `${Y}-01-20T10:00:00Z`,
  },
  {
    // Never answered, closed: no_response.
    channel: 'p2.email',
    category: 'ncii',
    escalated_at: `${Y}-06-10T08:00:00Z`,
    closed_at: `${Y}-07-20T08:00:00Z`,
  },
  {
    // The first answer was the decision (one step).
    channel: 'p1.webform',
    category: 'coordinated_attack',
    tlp: 'GREEN',
    escalated_at: `${Y}-09-05T12:00:00Z`,
    first_response_at: `${Y}-09-06T12:00:00Z`,
    resolved_at: `${Y}-09-06T12:00:00Z`,
    outcome: 'account_suspended',
  },
  {
    // Acknowledged, still waiting past its deadline when imported.
    channel: 'p2.email',
    category: 'doxxing',
    escalated_at: `${Y}-12-05T09:00:00Z`,
    first_response_at: `${Y}-12-06T09:00:00Z`,
  },
  {
    // A draft: not escalated, counts nowhere.
    channel: 'p1.partner',
    category: 'threats',
  },
  {
    // Critical, decided within its 24 h cap, in a zone other than UTC.
    channel: 'p1.partner',
    category: 'synthetic_sexual_media',
    urgency: 'critical',
    escalated_at: `${Y}-09-30T21:00:00-03:00`,
    resolved_at: `${Y}-10-01T20:00:00Z`,
    outcome: 'content_removed',
  },
];

// ---------------------------------------------------------------------------------------------
// The oracle: the definitions, applied to raw rows.
// ---------------------------------------------------------------------------------------------

const ACTED = new Set([
  'content_removed',
  'account_suspended',
  'account_restored',
  'content_restricted',
  'partially_actioned',
]);
const PLATFORM_EVENTS = new Set([
  'platform_acknowledged',
  'platform_requested_info',
  'platform_responded',
]);
const DSA_OF = new Map<string, string>(taxonomy.categories.map((c) => [c.code, c.dsa_category]));

interface CaseRow {
  id: string;
  organization_id: string;
  created_by: string;
  tlp: string;
  shared_user_ids: string[];
  category_code: string;
  urgency: string;
  platform: string;
  platform_name: string;
  expected_response_hours: number;
}

interface EventRow {
  case_id: string;
  type: string;
  occurred_at: Date;
  outcome: string | null;
  quality: Record<string, string> | null;
  statement_of_reasons: { received: boolean } | null;
}

/** What the timeline says about one case, as of `now`. */
interface Facts {
  id: string;
  organizationId: string;
  createdBy: string;
  tlp: string;
  sharedUserIds: string[];
  platform: string;
  platformName: string;
  category: string;
  escalatedAt: number | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  outcome: string | null;
  closed: boolean;
  overdue: boolean;
  /** The platform decided at least once. */
  decided: boolean;
  /** The answers of the latest decision that gave them (timeline order), if any. */
  quality: Record<string, string> | null;
  /** Whether the latest decision that said so came with a statement of reasons. */
  sorReceived: boolean | null;
}

/**
 * Replays a case's timeline in the order things happened (occurredAt, then recording order):
 * - escalated (or reopened, for a case never escalated) is the escalation; the deadline is the
 *   channel's hours later (24 h at most when critical), moved on by every stretch the platform
 *   waited for information, and restarted by a reopening;
 * - the first platform event (acknowledged, asked for information, decided) is the first
 *   response; the decision (`platform_responded`) not reopened since is the resolution;
 * - closing keeps the decision's outcome, takes the one given, or is `no_response` when the
 *   platform never answered; reopening clears outcome and resolution;
 * - overdue: marked by the deadline worker (an `overdue` event), or still owed an answer with
 *   the clock running past the deadline now.
 */
function replay(c: CaseRow, events: EventRow[], now: number): Facts {
  const hours =
    c.urgency === 'critical' ? Math.min(c.expected_response_hours, 24) : c.expected_response_hours;
  let waiting = false;
  let closed = false;
  let escalatedAt: number | null = null;
  let dueAt: number | null = null;
  let pausedAt: number | null = null;
  let firstResponseAt: number | null = null;
  let resolvedAt: number | null = null;
  let outcome: string | null = null;
  let marked = false;
  let decided = false;
  let quality: Record<string, string> | null = null;
  let sorReceived: boolean | null = null;
  const resume = (at: number) => {
    if (pausedAt !== null && dueAt !== null) dueAt += at - pausedAt;
    pausedAt = null;
  };
  for (const e of events) {
    const at = e.occurred_at.getTime();
    if (PLATFORM_EVENTS.has(e.type)) firstResponseAt ??= at;
    switch (e.type) {
      case 'escalated':
        waiting = true;
        escalatedAt = at;
        dueAt = at + hours * HOUR;
        break;
      case 'platform_requested_info':
        pausedAt = at;
        break;
      case 'info_provided':
        resume(at);
        break;
      case 'platform_responded':
        resume(at);
        waiting = false;
        resolvedAt = at;
        outcome = e.outcome;
        decided = true;
        quality = e.quality ?? quality;
        sorReceived = e.statement_of_reasons?.received ?? sorReceived;
        break;
      case 'closed': {
        resume(at);
        const neverAnswered = escalatedAt !== null && firstResponseAt === null;
        outcome = e.outcome ?? outcome ?? (neverAnswered ? 'no_response' : null);
        waiting = false;
        closed = true;
        break;
      }
      case 'reopened':
        waiting = true;
        closed = false;
        escalatedAt ??= at;
        dueAt = at + hours * HOUR;
        pausedAt = null;
        resolvedAt = null;
        outcome = null;
        break;
      case 'overdue':
        marked = true;
        break;
    }
  }
  const late = waiting && pausedAt === null && dueAt !== null && dueAt < now;
  return {
    id: c.id,
    organizationId: c.organization_id,
    createdBy: c.created_by,
    tlp: c.tlp,
    sharedUserIds: c.shared_user_ids,
    platform: c.platform,
    platformName: c.platform_name,
    category: c.category_code,
    escalatedAt,
    firstResponseAt,
    resolvedAt,
    outcome,
    closed,
    overdue: marked || late,
    decided,
    quality,
    sorReceived,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Linear interpolation between closest ranks: a spreadsheet's PERCENTILE.INC (and MEDIAN). */
function percentileInc(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

type Figures = Record<(typeof FIGURES)[number], number | null>;
const FIGURES = [
  'escalations',
  'responded',
  'resolved',
  'actionedShare',
  'noResponseShare',
  'overdueShare',
  'medianFirstResponseHours',
  'p90FirstResponseHours',
  'medianResolutionHours',
  'p90ResolutionHours',
] as const;

/** Shares of the escalations (3 decimals), times in hours (1 decimal) of the answered ones. */
function figuresOf(cases: Facts[]): Figures {
  const n = cases.length;
  const share = (k: number) => (n > 0 ? round(k / n, 3) : null);
  const hours = (seconds: number | null) => (seconds === null ? null : round(seconds / 3600, 1));
  const secondsTo = (pick: (f: Facts) => number | null) =>
    cases.flatMap((f) => (pick(f) === null ? [] : [(pick(f)! - f.escalatedAt!) / 1000]));
  const firstResponse = secondsTo((f) => f.firstResponseAt);
  const resolution = secondsTo((f) => f.resolvedAt);
  return {
    escalations: n,
    responded: firstResponse.length,
    resolved: resolution.length,
    actionedShare: share(cases.filter((f) => f.outcome !== null && ACTED.has(f.outcome)).length),
    noResponseShare: share(cases.filter((f) => f.outcome === 'no_response').length),
    overdueShare: share(cases.filter((f) => f.overdue).length),
    medianFirstResponseHours: hours(percentileInc(firstResponse, 0.5)),
    p90FirstResponseHours: hours(percentileInc(firstResponse, 0.9)),
    medianResolutionHours: hours(percentileInc(resolution, 0.5)),
    p90ResolutionHours: hours(percentileInc(resolution, 0.9)),
  };
}

/** Answers per question (share of yes among yes and no) and statements of reasons per decision. */
function qualityOf(cases: Facts[]) {
  const share = (n: number, of: number) => (of > 0 ? round(n / of, 3) : null);
  const decisions = cases.filter((f) => f.decided).length;
  const received = cases.filter((f) => f.sorReceived === true).length;
  const notReceived = cases.filter((f) => f.sorReceived === false).length;
  return {
    responseQuality: QUESTIONS.map((question) => {
      const count = (a: Answer) => cases.filter((f) => f.quality?.[question] === a).length;
      const [yes, no, unknown] = [count('yes'), count('no'), count('unknown')];
      return { question, yes, no, unknown, yesShare: share(yes, yes + no) };
    }),
    statementsOfReasons: {
      decisions,
      received,
      notReceived,
      notRecorded: decisions - received - notReceived,
      receivedShare: share(received, decisions),
    },
  };
}

function groupBy(cases: Facts[], key: (f: Facts) => string): Map<string, Facts[]> {
  const groups = new Map<string, Facts[]>();
  for (const f of cases) groups.set(key(f), [...(groups.get(key(f)) ?? []), f]);
  return groups;
}

const actionOf = (f: Facts) => f.outcome ?? (f.closed ? 'closed' : 'open');
const monthOf = (f: Facts) => new Date(f.escalatedAt!).toISOString().slice(0, 7);
const sortedBy = <T>(rows: T[], key: (r: T) => string) =>
  [...rows].sort((a, b) => key(a).localeCompare(key(b)));

/** The sharing rule of DESIGN.md, for the caller's own organisation's cases. */
function mayRead(user: TestUser, f: Facts): boolean {
  if (f.tlp !== 'RED') return true;
  return f.createdBy === user.id || f.sharedUserIds.includes(user.id);
}

interface Organization {
  slug: string;
  name: string;
}

function expectedReport(facts: Facts[], user: TestUser, org: Organization, year: number) {
  const counted = facts.filter(
    (f) =>
      f.organizationId === user.organizationId &&
      f.escalatedAt !== null &&
      new Date(f.escalatedAt).getUTCFullYear() === year &&
      mayRead(user, f),
  );
  const months = groupBy(counted, monthOf);
  return {
    counted,
    body: {
      organization: { slug: org.slug, name: org.name },
      year,
      from: `${year}-01-01T00:00:00.000Z`,
      to: `${year + 1}-01-01T00:00:00.000Z`,
      totals: figuresOf(counted),
      byPlatform: sortedBy(
        [...groupBy(counted, (f) => f.platform)].map(([platform, g]) => ({
          platform,
          platformName: g[0].platformName,
          ...figuresOf(g),
        })),
        (r) => r.platform,
      ),
      byContentType: sortedBy(
        [...groupBy(counted, (f) => f.category)].map(([category, g]) => ({
          category,
          dsaCategory: DSA_OF.get(category) ?? null,
          ...figuresOf(g),
        })),
        (r) => r.category,
      ),
      byAction: sortedBy(
        [...groupBy(counted, actionOf)].map(([outcome, g]) => ({ outcome, ...figuresOf(g) })),
        (r) => r.outcome,
      ),
      byMonth: Array.from({ length: 12 }, (_, i) => {
        const month = `${year}-${String(i + 1).padStart(2, '0')}`;
        return { month, ...figuresOf(months.get(month) ?? []) };
      }),
      ...qualityOf(counted),
    },
  };
}

type ExpectedBody = ReturnType<typeof expectedReport>['body'];

/** The CSV's rows as `section|platform|category|dsa|outcome|month|figure` -> value (en labels). */
function expectedCsv(body: ExpectedBody): Map<string, number | null> {
  const column = (code: string) => label('en', 'column', code);
  const rows = new Map<string, number | null>();
  const add = (section: string, dims: string[], figures: Figures) => {
    for (const figure of FIGURES) {
      rows.set([column(section), ...dims, column(figure)].join('|'), figures[figure]);
    }
  };
  const pick = (r: Figures) => Object.fromEntries(FIGURES.map((f) => [f, r[f]])) as Figures;
  add('total', ['', '', '', '', ''], body.totals);
  for (const r of body.byPlatform) add('platform', [r.platformName, '', '', '', ''], pick(r));
  for (const r of body.byContentType) {
    const dsa = r.dsaCategory ? label('en', 'dsaCategory', r.dsaCategory) : '';
    add('category', ['', label('en', 'category', r.category), dsa, '', ''], pick(r));
  }
  for (const r of body.byAction) {
    const action =
      r.outcome === 'open'
        ? column('open')
        : r.outcome === 'closed'
          ? label('en', 'status', 'closed')
          : label('en', 'outcome', r.outcome);
    add('outcome', ['', '', '', action, ''], pick(r));
  }
  for (const r of body.byMonth) add('month', ['', '', '', '', r.month], pick(r));
  const other = (section: string, key: string, value: number | null) =>
    rows.set([column(section), '', '', '', '', '', key].join('|'), value);
  for (const q of body.responseQuality) {
    other('responseQuality', `${column(q.question)}: yes`, q.yes);
    other('responseQuality', `${column(q.question)}: no`, q.no);
    other('responseQuality', `${column(q.question)}: unknown`, q.unknown);
    other('responseQuality', column(`${q.question}Share`), q.yesShare);
  }
  const sor = body.statementsOfReasons;
  other('statementsOfReasons', column('decisions'), sor.decisions);
  other('statementsOfReasons', 'With a statement of reasons', sor.received);
  other('statementsOfReasons', 'Without a statement of reasons', sor.notReceived);
  other('statementsOfReasons', 'Statement of reasons not recorded', sor.notRecorded);
  other('statementsOfReasons', column('sorReceivedShare'), sor.receivedShare);
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('annual report against an independent computation from raw rows (e2e)', () => {
  let t: TestApp;
  const users = {} as Record<Who, TestUser>;
  const orgs = {} as Record<'A' | 'B' | 'C', Organization & { id: string }>;
  /** Case id of each journal (and of each imported row, in order). */
  const caseOf = new Map<string, string>();
  const imported: string[] = [];
  const platformCode = {} as Record<'p1' | 'p2' | 'p3', string>;
  const years = [Y - 1, Y, C];

  /** The raw rows, replayed as of `now`. */
  async function oracle(now: number): Promise<Facts[]> {
    const cases = (await t.db.query(
      `SELECT c.id, c.organization_id, c.created_by, c.tlp, c.shared_user_ids, c.category_code,
              c.urgency, p.code AS platform, p.name AS platform_name, ch.expected_response_hours
         FROM cases c
         JOIN platforms p ON p.id = c.platform_id
         JOIN channels ch ON ch.id = c.channel_id`,
    )) as CaseRow[];
    const events = (await t.db.query(
      `SELECT case_id, type, occurred_at, outcome, quality, statement_of_reasons
         FROM case_events ORDER BY occurred_at, seq`,
    )) as EventRow[];
    return cases.map((c) =>
      replay(
        c,
        events.filter((e) => e.case_id === c.id),
        now,
      ),
    );
  }

  async function report(who: Who, year: number, query: Record<string, string> = {}) {
    const answer = await call<ExpectedBody & { generatedAt: string }>(
      t.app,
      'GET',
      '/v1/reports/annual',
      { token: users[who].token, query: { year: String(year), ...query } },
    );
    expect(answer.status).toBe(200);
    return answer;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const community = await createCommunity(t.app);
    const admin = community.admin.token;
    for (const p of ['p1', 'p2', 'p3'] as const) {
      platformCode[p] = (await createPlatform(t.app, admin)).code;
    }
    for (const ch of Object.values(CHANNELS)) {
      const answer = await call(
        t.app,
        'POST',
        `/v1/platforms/${platformCode[ch.platform]}/channels`,
        {
          token: admin,
          body: { code: ch.code, name: ch.code, kind: ch.kind, expectedResponseHours: ch.hours },
        },
      );
      expect(answer.status).toBe(201);
    }
    for (const [key, org] of [
      ['A', community.a],
      ['B', community.b],
      ['C', await createOrganization(t.app)],
    ] as const) {
      orgs[key] = { id: org.id, slug: org.slug, name: org.name };
    }
    users.creator = community.inA.member;
    users.colleague = await createUser(t.app, orgs.A.id, 'member');
    users.named = await createUser(t.app, orgs.A.id, 'member');
    users.viewer = community.inA.viewer;
    users.memberOfB = community.inB.member;
    users.memberOfC = await createUser(t.app, orgs.C.id, 'member');

    // The deadline worker's sweep, run by hand before every step (this app runs no workers).
    const tx = t.app.get(TransactionRunner, { strict: false });
    const worker = new DeadlinesService(
      new CaseDeadlinesService(new CaseDeadlinesRepository(tx)),
      new ResponseTimesRepository(tx),
      t.app.get(DeadlineScheduler, { strict: false }),
      t.app.get(NotificationsService, { strict: false }),
      t.config,
      t.clock,
    );
    const setClock = (at: number) => t.clock.advance(at - t.clock.now().getTime());

    const channelOf = (key: ChannelKey) => ({
      platformCode: platformCode[CHANNELS[key].platform],
      channelCode: CHANNELS[key].code,
    });
    const actions: { at: number; run: () => Promise<void> }[] = [];
    for (const j of JOURNALS) {
      const start = j.start.getTime();
      actions.push({
        at: start,
        run: async () => {
          const created = await createCase(t.app, users[j.by].token, {
            ...channelOf(j.channel),
            categoryCode: j.category,
            subcategoryCode: undefined,
            urgency: j.urgency ?? 'normal',
            escalatedAt: j.draft ? undefined : j.start.toISOString(),
            tlp: j.tlp,
            shareWithUserIds: j.shareWithUsers?.map((w) => users[w].id),
            shareWithOrganizationIds: j.shareWithOrganization && [orgs[j.shareWithOrganization].id],
          });
          caseOf.set(j.name, created.id);
        },
      });
      for (const step of j.steps ?? []) {
        const occurredAt = start + step.at * HOUR;
        actions.push({
          at: occurredAt + (step.loggedLater ?? 0) * HOUR,
          run: async () => {
            const answer = await call(t.app, 'POST', `/v1/cases/${caseOf.get(j.name)}/events`, {
              token: users[j.by].token,
              body: {
                type: step.type,
                occurredAt: new Date(occurredAt).toISOString(),
                ...(step.outcome && { outcome: step.outcome }),
                ...(step.quality && {
                  quality: Object.fromEntries(QUESTIONS.map((q, i) => [q, step.quality![i]])),
                }),
                ...(step.statementOfReasons && { statementOfReasons: step.statementOfReasons }),
              },
            });
            expect({ journal: j.name, step: step.type, status: answer.status }).toEqual({
              journal: j.name,
              step: step.type,
              status: 201,
            });
          },
        });
      }
    }
    actions.push({
      at: IMPORTED_AT.getTime(),
      run: async () => {
        const lines = IMPORTED_ROWS.map((row, i) => {
          const { platformCode: platform, channelCode: channel } = channelOf(
            row.channel as ChannelKey,
          );
          const cells: Record<string, string> = {
            title: `Imported ${i + 1}`,
            summary: 'From the spreadsheet of the year.',
            country: 'BO',
            ...row,
            platform,
            channel,
          };
          return IMPORT_COLUMNS.map((c) => cells[c] ?? '').join(',');
        });
        const answer = await call(t.app, 'POST', '/v1/cases/import', {
          token: users.creator.token,
          raw: [IMPORT_COLUMNS.join(','), ...lines].join('\r\n'),
          headers: { 'content-type': 'text/csv' },
        });
        expect(answer.body).toEqual({ imported: IMPORTED_ROWS.length, errors: [] });
        const ids = (await t.db.query(
          `SELECT id FROM cases WHERE title LIKE 'Imported %' ORDER BY title`,
        )) as { id: string }[];
        imported.push(...ids.map((r) => r.id));
      },
    });

    // In the order things happened; what lies ahead of the real clock (only on the first hours
    // of a year) is left out, and the oracle reads what was written.
    const ordered = actions
      .map((a, i) => ({ ...a, i }))
      .filter((a) => a.at <= NOW)
      .sort((a, b) => a.at - b.at || a.i - b.i);
    for (const action of ordered) {
      setClock(action.at);
      await worker.sweep();
      await action.run();
    }
    setClock(Date.now());
    await worker.sweep();
  });
  afterAll(() => t?.close());

  it('the data covers the awkward cases it claims to (guards the checks below)', async () => {
    const facts = await oracle(Date.now());
    const ofYear = facts.filter(
      (f) =>
        f.organizationId === orgs.A.id &&
        f.escalatedAt !== null &&
        new Date(f.escalatedAt).getUTCFullYear() === Y,
    );
    const byName = (name: string) => facts.find((f) => f.id === caseOf.get(name))!;
    expect(ofYear.length).toBeGreaterThanOrEqual(25);
    // Unanswered, paused, reopened, imported, withdrawn, RED, shared.
    expect(byName('never answered, still waiting')).toMatchObject({
      firstResponseAt: null,
      overdue: true,
    });
    expect(ofYear.filter((f) => f.outcome === 'no_response').length).toBeGreaterThanOrEqual(2);
    expect(
      byName('asked for information before the deadline, still waiting for it (clock stopped)'),
    ).toMatchObject({ overdue: false, outcome: null, closed: false });
    expect(byName('no violation, reopened, still open past the new deadline')).toMatchObject({
      resolvedAt: null,
      outcome: null,
      overdue: true,
    });
    expect(byName('removed, reopened, suspended after the second deadline started').outcome).toBe(
      'account_suspended',
    );
    expect(byName('a draft withdrawn before escalation').escalatedAt).toBeNull();
    expect(byName('a draft, never escalated').escalatedAt).toBeNull();
    expect(byName('a draft withdrawn, then reopened: escalated at the reopening').escalatedAt).toBe(
      inY('06-13T10:00').getTime(),
    );
    expect(imported).toHaveLength(IMPORTED_ROWS.length);
    expect(ofYear.filter((f) => imported.includes(f.id))).toHaveLength(IMPORTED_ROWS.length - 1);
    // The worker marked some overdue; not only the ones still waiting.
    const marked = (await t.db.query(
      `SELECT DISTINCT case_id FROM case_events WHERE type = 'overdue'`,
    )) as { case_id: string }[];
    expect(marked.length).toBeGreaterThanOrEqual(8);
    expect(
      ofYear.filter((f) => f.overdue && (f.closed || f.resolvedAt !== null)).length,
    ).toBeGreaterThanOrEqual(5);
    // Answers logged late or out of order; a critical case past its 24 h cap.
    expect(byName('restricted in time, but logged a day after its deadline').overdue).toBe(true);
    const outOfOrder =
      'the acknowledgement logged first, the earlier request for information after it';
    expect(byName(outOfOrder).firstResponseAt).toBe(inY('12-10T15:00').getTime());
    expect(byName('critical: acknowledged in 4 h, removed after its 24 h cap').overdue).toBe(true);
    // Months with no case in A's year (February, August, November).
    const months = new Set(ofYear.map(monthOf));
    expect(months.size).toBeLessThanOrEqual(10);
    // Several organisations; one of them with nothing at all.
    expect(facts.some((f) => f.organizationId === orgs.B.id)).toBe(true);
    expect(facts.some((f) => f.organizationId === orgs.C.id)).toBe(false);
  });

  const CALLERS: Who[] = ['creator', 'colleague', 'named', 'viewer', 'memberOfB', 'memberOfC'];

  it.each(CALLERS)(
    '%s: every figure of every section (JSON), last year, this year and the year before',
    async (who) => {
      const org = Object.values(orgs).find((o) => o.id === users[who].organizationId)!;
      for (const year of years) {
        const before = Date.now();
        const answer = await report(who, year);
        const { generatedAt, ...body } = answer.body;
        expect(Date.parse(generatedAt)).toBeGreaterThanOrEqual(before - 1000);
        const { body: expected } = expectedReport(
          await oracle(Date.parse(generatedAt)),
          users[who],
          org,
          year,
        );
        expect({
          requested: year,
          ...body,
          byPlatform: sortedBy(body.byPlatform, (r) => r.platform),
          byContentType: sortedBy(body.byContentType, (r) => r.category),
          byAction: sortedBy(body.byAction, (r) => r.outcome),
        }).toEqual({ requested: year, ...expected });
      }
    },
  );

  it.each(CALLERS)('%s: every number of the CSV, last year and this year', async (who) => {
    const org = Object.values(orgs).find((o) => o.id === users[who].organizationId)!;
    for (const year of [Y, C]) {
      const answer = await report(who, year, { format: 'csv', lang: 'en' });
      const now = Date.now();
      const { body } = expectedReport(await oracle(now), users[who], org, year);
      const [header, ...rows] = parse(answer.text, { bom: true }) as string[][];
      expect(header).toHaveLength(8);
      const actual = new Map(
        rows.map((r) => [r.slice(0, 7).join('|'), r[7] === '' ? null : Number(r[7])]),
      );
      expect(rows).toHaveLength(actual.size);
      expect({ year, rows: Object.fromEntries(actual) }).toEqual({
        year,
        rows: Object.fromEntries(expectedCsv(body)),
      });
    }
  });

  it("a colleague's RED case counts for its creator and the user named on it, nobody else", async () => {
    const facts = await oracle(Date.now());
    const red = facts.find(
      (f) => f.id === caseOf.get("RED, a colleague's, naming one other member"),
    )!;
    const ownRed = facts.find((f) => f.id === caseOf.get('RED, the creator alone'))!;
    const totals = async (who: Who) => Number((await report(who, Y)).body.totals.escalations);
    const visible = (who: Who) =>
      expectedReport(facts, users[who], orgs.A, Y).counted.map((f) => f.id);
    expect(visible('colleague')).toContain(red.id);
    expect(visible('named')).toContain(red.id);
    expect(visible('creator')).not.toContain(red.id);
    expect(visible('viewer')).not.toContain(red.id);
    expect(visible('creator')).toContain(ownRed.id);
    expect(visible('named')).not.toContain(ownRed.id);
    // Both RED cases out of the viewer's report; each in exactly the reports of its people.
    expect(await totals('creator')).toBe((await totals('viewer')) + 1);
    expect(await totals('named')).toBe((await totals('viewer')) + 1);
    expect(await totals('colleague')).toBe((await totals('viewer')) + 1);
  });
});
