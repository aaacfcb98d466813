import {
  deadlineAfterStep,
  DeadlineState,
  delayUntil,
  dueJobId,
  nextReminderAt,
  reminderJobId,
} from './deadline-rules';

const at = (iso: string) => new Date(iso);

describe('deadline rules', () => {
  it('derives job ids from the case and the time, without colons', () => {
    const due = at('2026-03-05T10:00:00.000Z');
    expect(dueJobId('c1', due)).toBe(`due-c1-${due.getTime()}`);
    expect(reminderJobId('c1', due)).toBe(`reminder-c1-${due.getTime()}`);
    expect(dueJobId('c1', due)).not.toContain(':');
    expect(dueJobId('c1', due)).not.toBe(dueJobId('c1', at('2026-03-05T10:00:00.001Z')));
  });

  it('delays until the time, never negative', () => {
    const now = at('2026-03-05T10:00:00Z');
    expect(delayUntil(at('2026-03-05T10:00:01.500Z'), now)).toBe(1500);
    expect(delayUntil(at('2026-03-01T00:00:00Z'), now)).toBe(0);
  });

  describe('nextReminderAt', () => {
    const due = at('2026-03-05T10:00:00Z');
    it('is one interval after the deadline when it just passed', () => {
      expect(nextReminderAt(due, at('2026-03-05T10:00:05Z'), 72)).toEqual(
        at('2026-03-08T10:00:00Z'),
      );
    });
    it('skips the reminders missed while nothing ran, keeping the rhythm of the deadline', () => {
      // 10 days late with a 72 h interval: 3 reminders missed, the 4th is next.
      expect(nextReminderAt(due, at('2026-03-15T10:00:00Z'), 72)).toEqual(
        at('2026-03-17T10:00:00Z'),
      );
    });
    it('exactly on a reminder time, the next one is a full interval later', () => {
      expect(nextReminderAt(due, at('2026-03-08T10:00:00Z'), 72)).toEqual(
        at('2026-03-11T10:00:00Z'),
      );
    });
    it('before the starting point, it is one interval after it', () => {
      expect(nextReminderAt(due, at('2026-03-01T00:00:00Z'), 1)).toEqual(
        at('2026-03-05T11:00:00Z'),
      );
    });
  });

  describe('deadlineAfterStep', () => {
    const due = at('2026-03-05T10:00:00Z');
    const escalated: DeadlineState = { status: 'escalated', dueAt: due, pausedAt: null };
    const cases: [string, DeadlineState, DeadlineState, boolean, boolean][] = [
      ['a note changes nothing', escalated, escalated, false, true],
      [
        'acknowledged: still owed, same deadline',
        escalated,
        { ...escalated, status: 'acknowledged' },
        false,
        true,
      ],
      [
        'responded: no deadline any more',
        escalated,
        { ...escalated, status: 'resolved' },
        false,
        false,
      ],
      ['closed: no deadline any more', escalated, { ...escalated, status: 'closed' }, false, false],
      [
        'info requested: the clock stops',
        escalated,
        { ...escalated, pausedAt: at('2026-03-04T00:00:00Z') },
        false,
        false,
      ],
      [
        'info provided: the clock runs again to a later deadline',
        { ...escalated, pausedAt: at('2026-03-04T00:00:00Z') },
        { ...escalated, dueAt: at('2026-03-06T10:00:00Z') },
        true,
        false,
      ],
      [
        'reopened: a new deadline',
        { status: 'closed', dueAt: due, pausedAt: null },
        { status: 'escalated', dueAt: at('2026-04-01T00:00:00Z'), pausedAt: null },
        true,
        false,
      ],
      [
        'escalating a draft: the first deadline',
        { status: 'draft', dueAt: null, pausedAt: null },
        escalated,
        true,
        false,
      ],
    ];
    it.each(cases)('%s', (_what, before, after, schedule, keepReminders) => {
      expect(deadlineAfterStep(before, after)).toEqual({ schedule, keepReminders });
    });
  });
});
