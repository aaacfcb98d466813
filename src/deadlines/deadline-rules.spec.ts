import { delayUntil, dueJobId, nextReminderAt, reminderJobId } from './deadline-rules';

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
});
