import { ValidationFailedError } from '../common/errors/domain-error';
import {
  applyStep,
  CASE_EVENT_TYPES,
  CASE_STATUSES,
  CaseEventType,
  CaseState,
  CaseStatus,
  CaseStep,
  dueAtFor,
  initialState,
} from './case-status.machine';
import { IllegalStepError } from './cases.errors';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

function step(type: CaseEventType, at: Date, extra: Partial<CaseStep> = {}): CaseStep {
  return { type, occurredAt: at, expectedResponseHours: 72, urgency: 'normal', ...extra };
}

function run(...steps: CaseStep[]): CaseState {
  return steps.reduce(applyStep, initialState());
}

const escalated = () => run(step('escalated', T0));

describe('case status machine', () => {
  it('escalating a draft starts the clock: dueAt is escalatedAt plus the channel hours', () => {
    expect(escalated()).toEqual({
      ...initialState(),
      status: 'escalated',
      escalatedAt: T0,
      dueAt: hours(72),
    });
  });

  it('critical urgency caps the window at 24 hours, and never lengthens a shorter one', () => {
    expect(dueAtFor(T0, 72, 'critical')).toEqual(hours(24));
    expect(dueAtFor(T0, 12, 'critical')).toEqual(hours(12));
    expect(dueAtFor(T0, 72, 'high')).toEqual(hours(72));
    expect(run(step('escalated', T0, { urgency: 'critical' })).dueAt).toEqual(hours(24));
  });

  it('the first platform event sets firstResponseAt; later ones keep it', () => {
    const state = run(
      step('escalated', T0),
      step('platform_acknowledged', hours(5)),
      step('platform_responded', hours(30), { outcome: 'content_removed' }),
    );
    expect(state).toMatchObject({
      status: 'resolved',
      outcome: 'content_removed',
      firstResponseAt: hours(5),
      resolvedAt: hours(30),
    });
  });

  it('the earliest platform event is the first response, even when it was recorded later', () => {
    const state = run(
      step('escalated', T0),
      step('platform_acknowledged', hours(10)),
      step('platform_requested_info', hours(5)),
      step('info_provided', hours(20)),
      step('platform_responded', hours(40), { outcome: 'content_removed' }),
    );
    expect(state).toMatchObject({ firstResponseAt: hours(5), pausedSeconds: 15 * 3600 });
    const decidedFirst = run(
      step('escalated', T0),
      step('platform_acknowledged', hours(10)),
      step('platform_responded', hours(8), { outcome: 'account_suspended' }),
    );
    expect([decidedFirst.firstResponseAt, decidedFirst.resolvedAt]).toEqual([hours(8), hours(8)]);
  });

  it('a response straight after escalation is both the first response and the resolution', () => {
    const state = run(
      step('escalated', T0),
      step('platform_responded', hours(2), { outcome: 'account_suspended' }),
    );
    expect([state.firstResponseAt, state.resolvedAt]).toEqual([hours(2), hours(2)]);
  });

  it('a request for information is a first response and stops the clock; providing it resumes with the time that was left', () => {
    const paused = run(step('escalated', T0), step('platform_requested_info', hours(10)));
    expect(paused).toMatchObject({
      status: 'escalated',
      firstResponseAt: hours(10),
      pausedAt: hours(10),
      dueAt: hours(72),
    });
    const resumed = applyStep(paused, step('info_provided', hours(34)));
    expect(resumed).toMatchObject({ pausedAt: null, pausedSeconds: 24 * 3600, dueAt: hours(96) });
    // A second pause adds up.
    const again = [
      step('platform_requested_info', hours(40)),
      step('info_provided', hours(42)),
    ].reduce(applyStep, resumed);
    expect(again).toMatchObject({ pausedSeconds: 26 * 3600, dueAt: hours(98) });
  });

  it('a response while paused ends the pause and counts the stopped time', () => {
    const state = run(
      step('escalated', T0),
      step('platform_requested_info', hours(10)),
      step('platform_responded', hours(13), { outcome: 'content_restricted' }),
    );
    expect(state).toMatchObject({ status: 'resolved', pausedAt: null, pausedSeconds: 3 * 3600 });
  });

  it('closing a case the platform never answered records no_response', () => {
    expect(run(step('escalated', T0), step('closed', hours(200)))).toMatchObject({
      status: 'closed',
      outcome: 'no_response',
      closedAt: hours(200),
    });
  });

  it('closing keeps the outcome of a resolved case, and a draft closes without one', () => {
    const resolved = run(
      step('escalated', T0),
      step('platform_responded', hours(3), { outcome: 'no_violation_found' }),
      step('closed', hours(4)),
    );
    expect(resolved.outcome).toBe('no_violation_found');
    expect(run(step('closed', T0)).outcome).toBeNull();
  });

  it('reopening restarts the clock from the reopening and clears the resolution', () => {
    const state = run(
      step('escalated', T0),
      step('platform_responded', hours(3), { outcome: 'no_violation_found' }),
      step('reopened', hours(10)),
    );
    expect(state).toMatchObject({
      status: 'escalated',
      outcome: null,
      resolvedAt: null,
      escalatedAt: T0,
      firstResponseAt: hours(3),
      dueAt: hours(82),
    });
  });

  it('notes, follow-ups and contact changes leave the state as it was', () => {
    const before = escalated();
    for (const type of ['note', 'follow_up_sent', 'contact_changed'] as const) {
      expect(applyStep(before, step(type, hours(1)))).toEqual(before);
    }
  });

  // Every (status, event) pair: the legal ones are listed, everything else must be a 409.
  const LEGAL: Record<CaseStatus, CaseEventType[]> = {
    draft: ['escalated', 'closed', 'note', 'contact_changed', 'owner_changed'],
    escalated: [
      'follow_up_sent',
      'platform_acknowledged',
      'platform_requested_info',
      'platform_responded',
      'closed',
      'overdue',
      'note',
      'contact_changed',
      'owner_changed',
    ],
    acknowledged: [
      'follow_up_sent',
      'platform_requested_info',
      'platform_responded',
      'closed',
      'overdue',
      'note',
      'contact_changed',
      'owner_changed',
    ],
    resolved: ['closed', 'reopened', 'note', 'contact_changed', 'owner_changed'],
    closed: ['reopened', 'note', 'contact_changed', 'owner_changed'],
  };
  const stateIn = (status: CaseStatus): CaseState => {
    const path: Record<CaseStatus, CaseStep[]> = {
      draft: [],
      escalated: [step('escalated', T0)],
      acknowledged: [step('escalated', T0), step('platform_acknowledged', hours(1))],
      resolved: [
        step('escalated', T0),
        step('platform_responded', hours(1), { outcome: 'content_removed' }),
      ],
      closed: [step('escalated', T0), step('closed', hours(1))],
    };
    return run(...path[status]);
  };
  const cells = CASE_STATUSES.flatMap((status) =>
    CASE_EVENT_TYPES.filter((t) => t !== 'info_provided').map(
      (type) => [status, type, LEGAL[status].includes(type)] as const,
    ),
  );
  it.each(cells)('from %s, %s is legal: %s', (status, type, legal) => {
    const attempt = () =>
      applyStep(
        stateIn(status),
        step(type, hours(2), type === 'platform_responded' ? { outcome: 'content_removed' } : {}),
      );
    if (legal) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(IllegalStepError);
  });

  it('info_provided without a pending request is a 409, and a second request while paused too', () => {
    expect(() => applyStep(escalated(), step('info_provided', hours(1)))).toThrow(IllegalStepError);
    const paused = applyStep(escalated(), step('platform_requested_info', hours(1)));
    expect(() => applyStep(paused, step('platform_requested_info', hours(2)))).toThrow(
      IllegalStepError,
    );
  });

  it('refuses platform events dated before the escalation, and a resumption before the request', () => {
    expect(() => applyStep(escalated(), step('platform_acknowledged', hours(-1)))).toThrow(
      ValidationFailedError,
    );
    const paused = applyStep(escalated(), step('platform_requested_info', hours(5)));
    expect(() => applyStep(paused, step('info_provided', hours(4)))).toThrow(ValidationFailedError);
  });

  it('a response needs an outcome other than no_response, and only responses and closing carry one', () => {
    expect(() => applyStep(escalated(), step('platform_responded', hours(1)))).toThrow(
      ValidationFailedError,
    );
    expect(() =>
      applyStep(escalated(), step('platform_responded', hours(1), { outcome: 'no_response' })),
    ).toThrow(ValidationFailedError);
    expect(() =>
      applyStep(escalated(), step('note', hours(1), { outcome: 'content_removed' })),
    ).toThrow(ValidationFailedError);
  });
});
