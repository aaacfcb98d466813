import { FieldError } from '../../common/errors/domain-error';
import { formString } from '../web-context';
import { fromLocalInput } from '../zoned-time';

/**
 * The step forms of the case page and CreateCaseEventDto, both ways: the posted fields as the
 * body POST /v1/cases/:id/events would get, and the API's error fields back onto the form's.
 */

/** The four questions the scorecard counts, and the one about restored content. */
export const QUALITY_QUESTIONS = [
  'reasonGiven',
  'contextUnderstood',
  'harmRecognisedAsGendered',
  'retraumatisingProofRequested',
  'contentRestoredAfterWrongRemoval',
] as const;
/** The grounds of the DSA Transparency Database. */
export const DECISION_GROUNDS = [
  'DECISION_GROUND_ILLEGAL_CONTENT',
  'DECISION_GROUND_INCOMPATIBLE_CONTENT',
] as const;

/** API field → form field, where they differ. */
const FORM_FIELD: Record<string, string> = {
  ...Object.fromEntries(QUALITY_QUESTIONS.map((q) => [`quality.${q}`, `q_${q}`])),
  quality: `q_${QUALITY_QUESTIONS[0]}`,
  'statementOfReasons.received': 'sorReceived',
  'statementOfReasons.receivedAt': 'sorReceivedAt',
  'statementOfReasons.decisionGround': 'sorDecisionGround',
  'statementOfReasons.platformCategory': 'sorPlatformCategory',
  'statementOfReasons.puid': 'sorPuid',
};
export const stepFieldOf = (apiField: string): string => FORM_FIELD[apiField] ?? apiField;

/** Every field a step form posts, as posted (to fill the form again after a refusal). */
export const STEP_FIELDS = [
  'type', 'occurredAt', 'note', 'outcome', 'platformReference', 'channelCode',
  ...QUALITY_QUESTIONS.map((q) => `q_${q}`),
  'sorReceived', 'sorReceivedAt', 'sorDecisionGround', 'sorPlatformCategory', 'sorPuid',
] as const; // prettier-ignore

export function readStepForm(body: unknown): Record<string, string> {
  const form: Record<string, string> = {};
  for (const field of STEP_FIELDS) {
    const value = formString(body, field)?.trim();
    if (value) form[field] = value;
  }
  return form;
}

/**
 * The body of POST /v1/cases/:id/events for a step form. Times are read in the reader's zone;
 * one that is no valid time is an error of its field (the DTO would only see it missing).
 * Quality answers and a statement of reasons go only with a platform response.
 */
export function stepBody(
  form: Record<string, string>,
  timeZone: string,
): { body: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const instant = (field: string) => {
    const value = form[field];
    if (!value) return undefined;
    const at = fromLocalInput(value, timeZone);
    if (!at) errors.push({ field, message: `${field} must be a date and time` });
    return at?.toISOString();
  };
  const type = form.type;
  const occurredAt = instant('occurredAt');
  const body: Record<string, unknown> = {
    type,
    ...(occurredAt && { occurredAt }),
    ...(form.note && { note: form.note }),
    ...(form.platformReference && { platformReference: form.platformReference }),
  };
  if (form.outcome && (type === 'platform_responded' || type === 'closed')) {
    body.outcome = form.outcome;
  }
  if (form.channelCode && type === 'follow_up_sent') body.channelCode = form.channelCode;
  if (type === 'platform_responded') {
    const answered = QUALITY_QUESTIONS.filter((q) => form[`q_${q}`]);
    if (answered.length > 0) {
      body.quality = Object.fromEntries(answered.map((q) => [q, form[`q_${q}`]]));
    }
    if (form.sorReceived === 'yes' || form.sorReceived === 'no') {
      const receivedAt = instant('sorReceivedAt');
      body.statementOfReasons = {
        received: form.sorReceived === 'yes',
        ...(receivedAt && { receivedAt }),
        ...(form.sorDecisionGround && { decisionGround: form.sorDecisionGround }),
        ...(form.sorPlatformCategory && { platformCategory: form.sorPlatformCategory }),
        ...(form.sorPuid && { puid: form.sorPuid }),
      };
    }
  }
  return { body, errors };
}
