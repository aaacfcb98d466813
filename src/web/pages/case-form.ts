import { categoryErrors, sharingErrors } from '../../cases/case-rules';
import { INDICATOR_KINDS, IndicatorKind, normalizeIndicator } from '../../cases/indicator';
import { FieldError } from '../../common/errors/domain-error';
import { Tlp, TLP_LEVELS } from '../../common/sharing/tlp';
import { formString, formStrings, rowField } from '../web-context';
import { fromLocalInput } from '../zoned-time';

/**
 * The escalation form and CreateCaseDto, both ways: the posted fields read into a form, the form
 * as the body POST /v1/cases would get, the API's error fields back onto the form's fields, and
 * the checks the service makes beyond the DTO that the form can show before anything is written.
 */

const CASE_FIELDS = [
  'channel', 'categoryCode', 'subcategoryCode', 'country', 'contentLanguage', 'urgency', 'tlp',
  'title', 'summary', 'contactId', 'platformReference', 'escalatedNow', 'consentToSharePattern',
  'submission', 'departedConfirmed',
] as const; // prettier-ignore
/** Checkboxes posted under one name: the DTO's lists. */
const LIST_FIELDS = ['targetGroups', 'shareWithOrganizationIds', 'shareWithUserIds'] as const;
type ListField = (typeof LIST_FIELDS)[number];
/** Rows of links and indicators the form shows at least, and reads at most. */
const FORM_ROWS = 3;
export const MAX_FORM_ROWS = 20;
/** The form fields of a row of the DTO's lists (`items.2.url` is `itemUrl2`). */
const ROW_FIELDS = {
  items: { url: 'itemUrl', kind: 'itemKind', contentSha256: 'itemSha', capturedAt: 'itemCaptured' },
  indicators: { value: 'indicatorValue', kind: 'indicatorKind' },
};

/** An evidence row of the form; empty strings for what was left empty. */
export interface FormItem {
  url: string;
  kind: string;
  contentSha256: string;
  capturedAt: string;
}
export const EMPTY_ITEM: FormItem = { url: '', kind: '', contentSha256: '', capturedAt: '' };

/** The escalation form as posted: one-value fields, checkbox lists and the filled rows. */
export interface CaseForm {
  fields: Partial<Record<(typeof CASE_FIELDS)[number], string>>;
  lists: Record<ListField, string[]>;
  /** Evidence rows as posted: capture time in the reader's zone, as the field holds it. */
  items: FormItem[];
  indicators: { kind: string; value: string }[];
}

export const emptyForm = (fields: CaseForm['fields'] = {}): CaseForm => ({
  fields,
  lists: { targetGroups: [], shareWithOrganizationIds: [], shareWithUserIds: [] },
  items: [],
  indicators: [],
});

/** The form of a POST: trimmed values, rows left empty dropped (the DTO's lists in form order). */
export function readCaseForm(body: unknown): CaseForm {
  const form = emptyForm();
  for (const field of CASE_FIELDS) {
    const value = formString(body, field)?.trim();
    if (value) form.fields[field] = value;
  }
  for (const field of LIST_FIELDS) {
    form.lists[field] = [...new Set(formStrings(body, field).map((v) => v.trim()))].filter(Boolean);
  }
  for (let i = 0; i < MAX_FORM_ROWS; i++) {
    const item = {
      url: formString(body, `itemUrl${i}`)?.trim() ?? '',
      kind: formString(body, `itemKind${i}`)?.trim() ?? '',
      contentSha256: formString(body, `itemSha${i}`)?.trim() ?? '',
      capturedAt: formString(body, `itemCaptured${i}`)?.trim() ?? '',
    };
    // The kind is a select that always posts a value: a row is filled by what is typed.
    if (item.url || item.contentSha256 || item.capturedAt) form.items.push(item);
    const kind = formString(body, `indicatorKind${i}`)?.trim() ?? '';
    const value = formString(body, `indicatorValue${i}`)?.trim() ?? '';
    if (kind || value) form.indicators.push({ kind, value });
  }
  return form;
}

/** The form's values by form field (rows numbered), to tell a missing value from a wrong one. */
export function formValues(form: CaseForm): Record<string, string | undefined> {
  return {
    ...form.fields,
    ...Object.fromEntries(LIST_FIELDS.map((f) => [f, form.lists[f].join(' ') || undefined])),
    ...Object.fromEntries(
      form.items.flatMap((row, i) => [
        [`itemUrl${i}`, row.url || undefined],
        [`itemKind${i}`, row.kind || undefined],
        [`itemSha${i}`, row.contentSha256 || undefined],
        [`itemCaptured${i}`, row.capturedAt || undefined],
      ]),
    ),
    ...Object.fromEntries(
      form.indicators.flatMap((row, i) => [
        [`indicatorKind${i}`, row.kind || undefined],
        [`indicatorValue${i}`, row.value || undefined],
      ]),
    ),
  };
}

/** The field of the form that shows an error of the DTO or the service. */
export function caseFieldOf(apiField: string): string {
  if (apiField === 'platformCode' || apiField === 'channelCode') return 'channel';
  const list = LIST_FIELDS.find((f) => apiField === f || apiField.startsWith(`${f}.`));
  return list ?? rowField(apiField, ROW_FIELDS) ?? apiField;
}

/** What POST /v1/cases would get for this form: sharing lists only for the level they serve. */
export function caseBody(form: CaseForm, now: Date, timeZone = 'UTC'): Record<string, unknown> {
  const f = form.fields;
  const [platformCode, channelCode] = (f.channel ?? '').split('/');
  return {
    platformCode: platformCode ?? '',
    channelCode: channelCode ?? '',
    title: f.title ?? '',
    summary: f.summary ?? '',
    categoryCode: f.categoryCode ?? '',
    country: f.country ?? '',
    ...(f.subcategoryCode && { subcategoryCode: f.subcategoryCode }),
    ...(f.contentLanguage && { contentLanguage: f.contentLanguage }),
    ...(f.contactId && { contactId: f.contactId }),
    ...(f.platformReference && { platformReference: f.platformReference }),
    ...(f.urgency && { urgency: f.urgency }),
    ...(f.tlp && { tlp: f.tlp }),
    targetGroups: form.lists.targetGroups,
    ...(f.tlp === 'AMBER' && { shareWithOrganizationIds: form.lists.shareWithOrganizationIds }),
    ...(f.tlp === 'RED' && { shareWithUserIds: form.lists.shareWithUserIds }),
    consentToSharePattern: f.consentToSharePattern === 'on',
    ...(f.escalatedNow === 'on' && { escalatedAt: now.toISOString() }),
    items: form.items.map((row) => ({
      url: row.url,
      kind: row.kind || 'other',
      ...(row.contentSha256 && { contentSha256: row.contentSha256 }),
      // A time that is no time goes as written: the DTO refuses it on its field.
      ...(row.capturedAt && {
        capturedAt: fromLocalInput(row.capturedAt, timeZone)?.toISOString() ?? row.capturedAt,
      }),
    })),
    indicators: form.indicators,
  };
}

/** The checks CasesService.create makes after the DTO's, on what of them is checkable. */
export function serviceChecks(body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (body.subcategoryCode) {
    errors.push(...categoryErrors(text(body.categoryCode), text(body.subcategoryCode)));
  }
  if ((TLP_LEVELS as readonly unknown[]).includes(body.tlp)) {
    const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
    errors.push(
      ...sharingErrors(
        body.tlp as Tlp,
        list(body.shareWithOrganizationIds),
        list(body.shareWithUserIds),
      ),
    );
  }
  (body.indicators as { kind: string; value: string }[]).forEach(({ kind, value }, i) => {
    if (!(INDICATOR_KINDS as readonly string[]).includes(kind) || !value) return;
    const normalized = normalizeIndicator(kind as IndicatorKind, value);
    if ('error' in normalized) {
      errors.push({ field: `indicators.${i}.value`, message: `value ${normalized.error}` });
    }
  });
  return errors;
}

/**
 * The filled rows and enough empty ones to add a few (one more at least, `more` more when asked
 * for, up to the limit).
 */
export function rows<T>(filled: T[], empty: T, more: boolean): T[] {
  const wanted = Math.max(FORM_ROWS, filled.length + (more ? FORM_ROWS : 1));
  const count = Math.min(MAX_FORM_ROWS, wanted);
  return [...filled, ...Array.from({ length: count - filled.length }, () => empty)];
}

/**
 * The form's channel choices: grouped by platform, the channels the organisation may use (its
 * channel access) first and marked `usable`, and the platforms offering any of them first;
 * otherwise the order given (platforms and channels by code).
 */
export function channelChoices<P extends { channels: { id: string }[] }>(
  platforms: P[],
  usableChannelIds: Iterable<string>,
): (Omit<P, 'channels'> & {
  usable: boolean;
  channels: (P['channels'][number] & { usable: boolean })[];
})[] {
  const usable = new Set(usableChannelIds);
  const marked = platforms.map((p) => {
    const channels = p.channels.map((c) => ({ ...c, usable: usable.has(c.id) }));
    return {
      ...p,
      usable: channels.some((c) => c.usable),
      channels: [...channels.filter((c) => c.usable), ...channels.filter((c) => !c.usable)],
    };
  });
  return [...marked.filter((p) => p.usable), ...marked.filter((p) => !p.usable)];
}
