import { ValidationFailedError } from '../common/errors/domain-error';
import { IllegalStepError } from './cases.errors';

export const CASE_STATUSES = ['draft', 'escalated', 'acknowledged', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_OUTCOMES = [
  'content_removed',
  'account_suspended',
  'account_restored',
  'content_restricted',
  'partially_actioned',
  'no_violation_found',
  'referred_elsewhere',
  'no_response',
] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const CASE_URGENCIES = ['low', 'normal', 'high', 'critical'] as const;
export type CaseUrgency = (typeof CASE_URGENCIES)[number];

export const CASE_EVENT_TYPES = [
  'created',
  'escalated',
  'follow_up_sent',
  'platform_acknowledged',
  'platform_requested_info',
  'info_provided',
  'platform_responded',
  'closed',
  'reopened',
  'contact_changed',
  'overdue',
  'note',
  'owner_changed',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** Written by the service itself (creation, contact and owner changes, deadlines), never by a client. */
export const SERVICE_EVENT_TYPES: readonly CaseEventType[] = [
  'created',
  'contact_changed',
  'overdue',
  'owner_changed',
];
export const CLIENT_EVENT_TYPES = CASE_EVENT_TYPES.filter((t) => !SERVICE_EVENT_TYPES.includes(t));

/** Statuses in which the platform still owes an answer. */
export const AWAITING_PLATFORM: readonly CaseStatus[] = ['escalated', 'acknowledged'];
/** Statuses in which the case is still being worked on (a departed contact matters). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['draft', 'escalated', 'acknowledged'];

/** What the timeline derives; the case row stores it so lists and reports need no replay. */
export interface CaseState {
  status: CaseStatus;
  outcome: CaseOutcome | null;
  escalatedAt: Date | null;
  dueAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Set while the platform waits for information from us: the deadline clock is stopped. */
  pausedAt: Date | null;
  /** Total time the clock was stopped, kept apart so reports can show it. */
  pausedSeconds: number;
}

export interface CaseStep {
  type: CaseEventType;
  occurredAt: Date;
  outcome?: CaseOutcome | null;
  /** The channel's expected response time, in hours: used when the clock (re)starts. */
  expectedResponseHours: number;
  urgency: CaseUrgency;
}

const HOUR_MS = 3_600_000;
/** Critical cases are due within a day whatever the channel promises. */
export const CRITICAL_CAP_HOURS = 24;

export function responseWindowHours(expectedResponseHours: number, urgency: CaseUrgency): number {
  return urgency === 'critical'
    ? Math.min(expectedResponseHours, CRITICAL_CAP_HOURS)
    : expectedResponseHours;
}

/** `escalatedAt + expected response time` (critical: at most 24 h) plus any stopped time. */
export function dueAtFor(
  from: Date,
  expectedResponseHours: number,
  urgency: CaseUrgency,
  pausedSeconds = 0,
): Date {
  return new Date(
    from.getTime() +
      responseWindowHours(expectedResponseHours, urgency) * HOUR_MS +
      pausedSeconds * 1000,
  );
}

/** Only the derived fields, from a case row that has more. */
export const stateOf = (c: CaseState): CaseState => ({
  status: c.status,
  outcome: c.outcome,
  escalatedAt: c.escalatedAt,
  dueAt: c.dueAt,
  firstResponseAt: c.firstResponseAt,
  resolvedAt: c.resolvedAt,
  closedAt: c.closedAt,
  pausedAt: c.pausedAt,
  pausedSeconds: c.pausedSeconds,
});

export const initialState = (): CaseState => ({
  status: 'draft',
  outcome: null,
  escalatedAt: null,
  dueAt: null,
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  pausedAt: null,
  pausedSeconds: 0,
});

function notBefore(at: Date, earliest: Date | null, what: string): void {
  if (earliest && at.getTime() < earliest.getTime()) {
    throw new ValidationFailedError([
      { field: 'occurredAt', message: `occurredAt must not be before ${what}` },
    ]);
  }
}

function requireStatus(state: CaseState, step: CaseStep, allowed: readonly CaseStatus[]): void {
  if (!allowed.includes(state.status)) {
    throw new IllegalStepError(
      `A ${step.type} event is not possible on a ${state.status} case (only from ${allowed.join(', ')}).`,
    );
  }
}

/**
 * The first response is the earliest platform event of the timeline, whatever order the events
 * were recorded in (an acknowledgement logged before the earlier request for information).
 */
function firstResponse(state: CaseState, at: Date): Date {
  const known = state.firstResponseAt;
  return known && known.getTime() <= at.getTime() ? known : at;
}

/** Ends a stopped clock at `at`: the stopped time moves the deadline and is added up. */
function resume(state: CaseState, at: Date): CaseState {
  if (!state.pausedAt) return state;
  const stopped = Math.max(0, Math.round((at.getTime() - state.pausedAt.getTime()) / 1000));
  return {
    ...state,
    pausedAt: null,
    pausedSeconds: state.pausedSeconds + stopped,
    dueAt: state.dueAt ? new Date(state.dueAt.getTime() + stopped * 1000) : null,
  };
}

/**
 * The status machine of the design. Returns the state after `step`, or throws: an illegal step
 * is a 409 (IllegalStepError), a step dated before what it answers is a 400. Pure, so every
 * transition is unit-tested without a database.
 */
export function applyStep(state: CaseState, step: CaseStep): CaseState {
  const at = step.occurredAt;
  if (step.outcome && step.type !== 'platform_responded' && step.type !== 'closed') {
    throw new ValidationFailedError([
      { field: 'outcome', message: 'outcome is only given with platform_responded or closed' },
    ]);
  }
  const afterEscalation = (allowed: readonly CaseStatus[]) => {
    requireStatus(state, step, allowed);
    notBefore(at, state.escalatedAt, 'the escalation');
  };
  switch (step.type) {
    case 'escalated':
      requireStatus(state, step, ['draft']);
      return {
        ...state,
        status: 'escalated',
        escalatedAt: at,
        dueAt: dueAtFor(at, step.expectedResponseHours, step.urgency),
      };
    case 'follow_up_sent':
      afterEscalation(AWAITING_PLATFORM);
      return state;
    case 'platform_acknowledged':
      afterEscalation(['escalated']);
      return { ...state, status: 'acknowledged', firstResponseAt: firstResponse(state, at) };
    case 'platform_requested_info':
      afterEscalation(AWAITING_PLATFORM);
      if (state.pausedAt) {
        throw new IllegalStepError(
          'The platform is already waiting for information; record info_provided first.',
        );
      }
      return { ...state, pausedAt: at, firstResponseAt: firstResponse(state, at) };
    case 'info_provided':
      afterEscalation(AWAITING_PLATFORM);
      if (!state.pausedAt) {
        throw new IllegalStepError('The platform has not asked for information on this case.');
      }
      notBefore(at, state.pausedAt, 'the platform asked for it');
      return resume(state, at);
    case 'platform_responded': {
      afterEscalation(AWAITING_PLATFORM);
      if (!step.outcome) {
        throw new ValidationFailedError([
          { field: 'outcome', message: 'outcome is required with platform_responded' },
        ]);
      }
      if (step.outcome === 'no_response') {
        throw new ValidationFailedError([
          { field: 'outcome', message: 'no_response is an outcome of closing, not of a response' },
        ]);
      }
      return {
        ...resume(state, at),
        status: 'resolved',
        outcome: step.outcome,
        resolvedAt: at,
        firstResponseAt: firstResponse(state, at),
      };
    }
    case 'closed': {
      requireStatus(state, step, ['draft', 'escalated', 'acknowledged', 'resolved']);
      notBefore(at, state.resolvedAt ?? state.escalatedAt, 'the case was escalated or resolved');
      const neverAnswered = state.escalatedAt !== null && state.firstResponseAt === null;
      return {
        ...resume(state, at),
        status: 'closed',
        outcome: step.outcome ?? state.outcome ?? (neverAnswered ? 'no_response' : null),
        closedAt: at,
      };
    }
    case 'reopened':
      requireStatus(state, step, ['resolved', 'closed']);
      notBefore(at, state.closedAt ?? state.resolvedAt, 'the case was closed or resolved');
      return {
        ...state,
        status: 'escalated',
        outcome: null,
        escalatedAt: state.escalatedAt ?? at,
        dueAt: dueAtFor(at, step.expectedResponseHours, step.urgency),
        resolvedAt: null,
        closedAt: null,
        pausedAt: null,
      };
    case 'overdue':
      requireStatus(state, step, AWAITING_PLATFORM);
      return state;
    case 'note':
    case 'contact_changed':
    case 'owner_changed':
      return state;
    case 'created':
      throw new IllegalStepError('A case is created once, by POST /v1/cases.');
  }
}
