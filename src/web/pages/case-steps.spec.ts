import { readStepForm, stepBody, stepFieldOf } from './case-steps';

describe('the case page step forms as timeline bodies', () => {
  const zone = 'America/La_Paz';

  it('reads the time in the reader zone, the note and the follow-up channel', () => {
    const form = readStepForm({
      type: 'follow_up_sent',
      occurredAt: '2026-03-04T09:30',
      note: '  second e-mail  ',
      channelCode: 'email',
      outcome: 'content_removed',
      q_reasonGiven: 'yes',
      ignored: 'x',
    });
    expect(stepBody(form, zone)).toEqual({
      body: {
        type: 'follow_up_sent',
        occurredAt: '2026-03-04T13:30:00.000Z',
        note: 'second e-mail',
        channelCode: 'email',
      },
      errors: [],
    });
  });

  it('a platform response carries its outcome, quality answers and statement of reasons', () => {
    const form = readStepForm({
      type: 'platform_responded',
      outcome: 'content_removed',
      platformReference: 'T-99',
      q_reasonGiven: 'yes',
      q_contextUnderstood: 'no',
      q_harmRecognisedAsGendered: 'unknown',
      q_retraumatisingProofRequested: 'no',
      sorReceived: 'yes',
      sorReceivedAt: '2026-03-05T08:00',
      sorDecisionGround: 'DECISION_GROUND_ILLEGAL_CONTENT',
      sorPuid: 'abc',
    });
    expect(stepBody(form, zone).body).toEqual({
      type: 'platform_responded',
      outcome: 'content_removed',
      platformReference: 'T-99',
      quality: {
        reasonGiven: 'yes',
        contextUnderstood: 'no',
        harmRecognisedAsGendered: 'unknown',
        retraumatisingProofRequested: 'no',
      },
      statementOfReasons: {
        received: true,
        receivedAt: '2026-03-05T12:00:00.000Z',
        decisionGround: 'DECISION_GROUND_ILLEGAL_CONTENT',
        puid: 'abc',
      },
    });
  });

  it('leaves quality and the statement out when nothing was answered', () => {
    expect(stepBody({ type: 'platform_responded', outcome: 'content_removed' }, zone).body).toEqual(
      { type: 'platform_responded', outcome: 'content_removed' },
    );
  });

  it('a time that is no time is an error of its field', () => {
    const { errors } = stepBody(
      {
        type: 'platform_responded',
        occurredAt: '2026-02-30T10:00',
        sorReceived: 'no',
        sorReceivedAt: 'soon',
      },
      zone,
    );
    expect(errors.map((e) => e.field)).toEqual(['occurredAt', 'sorReceivedAt']);
  });

  it('maps the API error fields onto the form fields', () => {
    expect(stepFieldOf('quality.contextUnderstood')).toBe('q_contextUnderstood');
    expect(stepFieldOf('statementOfReasons.receivedAt')).toBe('sorReceivedAt');
    expect(stepFieldOf('occurredAt')).toBe('occurredAt');
  });
});
