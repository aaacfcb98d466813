import { CaseNotification } from './notification';
import { emailMessage, NOTIFICATION_KEY, webhookPayload } from './notification-message';

const n: CaseNotification = {
  type: 'case.overdue',
  key: 'overdue-0b7f2d7e-52d4-4d7f-9a51-0a4c1c3f5e6d-1772704800000',
  organizationId: '5c0a3f7e-1111-4b2c-8d3e-222233334444',
  caseId: '0b7f2d7e-52d4-4d7f-9a51-0a4c1c3f5e6d',
  reference: 'ESC-2026-000123',
  platformCode: 'facebook',
  channelCode: 'trusted_partner',
  dueAt: '2026-03-05T10:00:00.000Z',
  occurredAt: '2026-03-05T10:00:04.000Z',
};

describe('notification messages', () => {
  it('builds the webhook payload from the notification’s fields only', () => {
    expect(webhookPayload(n, 'https://tracker.example.org')).toEqual({
      id: n.key,
      type: 'case.overdue',
      occurredAt: '2026-03-05T10:00:04.000Z',
      case: {
        id: n.caseId,
        reference: 'ESC-2026-000123',
        platform: 'facebook',
        channel: 'trusted_partner',
        dueAt: '2026-03-05T10:00:00.000Z',
        links: { api: `https://tracker.example.org/v1/cases/${n.caseId}` },
      },
    });
    // The organisation is the recipient, not something to tell the receiver.
    expect(JSON.stringify(webhookPayload(n, 'https://x'))).not.toContain(n.organizationId);
  });

  it('words the e-mail of each type with the reference in the subject and the link in the body', () => {
    const overdue = emailMessage(n, 'https://tracker.example.org');
    expect(overdue.subject).toBe('[ESC-2026-000123] overdue: no answer from facebook');
    expect(overdue.text).toBe(
      [
        'facebook has not answered case ESC-2026-000123 by its deadline (2026-03-05T10:00:00.000Z).',
        'Channel: trusted_partner',
        '',
        `Open the case: https://tracker.example.org/v1/cases/${n.caseId}`,
        '',
        'You receive this because you are an organisation admin or member in the escalation tracker.',
        '',
      ].join('\n'),
    );
    const reminder = emailMessage({ ...n, type: 'case.follow_up_due' }, 'https://t');
    expect(reminder.subject).toBe('[ESC-2026-000123] follow-up due: still no answer from facebook');
    expect(reminder.text).toContain('time to follow up');
  });

  it.each([
    [n.key, true],
    ['reminder-abc-1772704800000', true],
    ['overdue:abc', false],
    ['123456', false],
    ['', false],
    ['a b', false],
    ['x'.repeat(151), false],
    ['x'.repeat(150), true],
  ])('key %p usable as a job id: %p', (key, ok) => {
    expect(NOTIFICATION_KEY.test(key)).toBe(ok);
  });
});
