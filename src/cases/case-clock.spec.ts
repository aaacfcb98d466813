import { deadlineAfterStep, DeadlineState } from './case-clock';

const at = (iso: string) => new Date(iso);

describe('case clock', () => {
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
