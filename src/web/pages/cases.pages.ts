import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import taxonomy from '../../cases/data/taxonomy.json';
import { CaseEventsService } from '../../cases/case-events.service';
import {
  applyStep,
  CASE_OUTCOMES,
  CASE_URGENCIES,
  CaseEventType,
  CaseState,
  OPEN_STATUSES,
} from '../../cases/case-status.machine';
import { CasesService } from '../../cases/cases.service';
import { CreateCaseEventDto } from '../../cases/dto/case-event.dto';
import {
  CaseQueryDto,
  CaseResponseDto,
  CaseSummaryResponseDto,
  CreateCaseDto,
} from '../../cases/dto/case.dto';
import { Actor } from '../../common/auth/actor';
import { DomainError, FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { COUNTRY_CODES } from '../../common/reference/countries';
import { TLP_LEVELS } from '../../common/sharing/tlp';
import { assertValid } from '../../common/validation/validation.pipe';
import { ContactsService } from '../../contacts/contacts.service';
import { ContactQueryDto, ContactSummaryResponseDto } from '../../contacts/dto/contact.dto';
import { OrganizationsService } from '../../organizations/organizations.service';
import { PlatformQueryDto } from '../../platforms/dto/platform.dto';
import { PlatformsService } from '../../platforms/platforms.service';
import type { WebDeps } from '../web';
import {
  errorPage,
  fieldErrors,
  formString,
  PageContext,
  pageContext,
  render,
  seeOther,
  signedIn,
} from '../web-context';

const PAGE_SIZE = 25;
/** The timeline steps a person records from the case page, in the order they are offered. */
export const WEB_STEPS: readonly CaseEventType[] = [
  'escalated',
  'follow_up_sent',
  'platform_acknowledged',
  'platform_responded',
  'closed',
  'reopened',
];
/** TLP levels the form offers: AMBER needs a list of organisations this form does not ask for. */
const FORM_TLP = TLP_LEVELS.filter((t) => t !== 'AMBER');
const CASE_FIELDS = [
  'channel', 'categoryCode', 'subcategoryCode', 'country', 'contentLanguage', 'urgency', 'tlp',
  'title', 'summary', 'itemUrl', 'contactId', 'escalatedNow', 'consentToSharePattern',
] as const; // prettier-ignore
type CaseForm = Partial<Record<(typeof CASE_FIELDS)[number], string>>;

/** The steps the status machine allows now (tried on the pure machine, nothing written). */
export function allowedSteps(c: CaseSummaryResponseDto, now: Date): CaseEventType[] {
  const date = (iso: string | null) => (iso ? new Date(iso) : null);
  const state: CaseState = {
    status: c.status,
    outcome: c.outcome,
    escalatedAt: date(c.escalatedAt),
    dueAt: date(c.dueAt),
    firstResponseAt: date(c.firstResponseAt),
    resolvedAt: date(c.resolvedAt),
    closedAt: date(c.closedAt),
    pausedAt: c.paused ? now : null,
    pausedSeconds: c.pausedSeconds,
  };
  return WEB_STEPS.filter((type) => {
    try {
      applyStep(state, {
        type,
        occurredAt: now,
        outcome: type === 'platform_responded' ? 'content_removed' : undefined,
        expectedResponseHours: 1,
        urgency: c.urgency,
      });
      return true;
    } catch {
      return false;
    }
  });
}

/** Open cases, log an escalation, the case page and its next steps. */
export function registerCasePages(web: FastifyInstance, { app }: WebDeps): void {
  const cases = app.get(CasesService);
  const events = app.get(CaseEventsService);
  const platforms = app.get(PlatformsService);
  const contacts = app.get(ContactsService);
  const organizations = app.get(OrganizationsService);

  const platformList = async () =>
    (await platforms.list(assertValid(PlatformQueryDto, { limit: 200 }))).data;

  /** Overdue cases first, then the other open ones; one cursor walks both lists in turn. */
  async function openCases(actor: Actor, cursor: string | undefined) {
    const scope = { organizationId: actor.organizationId, statuses: OPEN_STATUSES };
    const page = (overdue: boolean, limit: number, after?: string) =>
      cases.list(actor, assertValid(CaseQueryDto, { overdue, limit, cursor: after }), scope);
    const [phase, after] = cursor ? [cursor[0], cursor.slice(2) || undefined] : ['o', undefined];
    const rows: CaseSummaryResponseDto[] = [];
    if (phase === 'o') {
      const overdue = await page(true, PAGE_SIZE, after);
      rows.push(...overdue.data);
      if (overdue.nextCursor) return { rows, next: `o.${overdue.nextCursor}` };
      if (rows.length === PAGE_SIZE) return { rows, next: 'n.' };
    }
    const rest = await page(false, PAGE_SIZE - rows.length, phase === 'n' ? after : undefined);
    rows.push(...rest.data);
    return { rows, next: rest.nextCursor ? `n.${rest.nextCursor}` : null };
  }

  web.get('/cases', async (request, reply) => {
    const { actor } = signedIn(request);
    const query = request.query as Record<string, unknown>;
    const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
    const [{ rows, next }, organization, known] = await Promise.all([
      openCases(actor, cursor),
      organizations.get(actor.organizationId),
      platformList(),
    ]);
    const platformNames = new Map(known.map((p) => [p.code, p.name]));
    return render(reply, 'cases', {
      ...pageContext(request, 'ui.cases.title', { org: organization.name }),
      cases: rows.map((c) => ({
        ...c,
        platformName: platformNames.get(c.platformCode) ?? c.platformCode,
      })),
      next,
      first: !!cursor,
      canWrite: actor.role !== 'viewer',
      notice: undefined,
    });
  });

  async function suggestions(
    actor: Actor,
    form: CaseForm,
  ): Promise<ContactSummaryResponseDto[] | null> {
    const [platform] = (form.channel ?? '').split('/');
    if (!platform || !form.country) return null;
    try {
      const query = assertValid(ContactQueryDto, {
        platform,
        country: form.country,
        ...(form.contentLanguage ? { language: form.contentLanguage } : {}),
        best: true,
        limit: 3,
      });
      return (await contacts.list(actor, query)).data.filter((c) => c.status !== 'left');
    } catch (error) {
      if (error instanceof ValidationFailedError) return null;
      throw error;
    }
  }

  async function caseForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: CaseForm,
    errors: Record<string, string> = {},
    status = 200,
  ) {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.new.title');
    const countries = [...COUNTRY_CODES]
      .map((code) => ({ code, name: page.label('country', code) }))
      .sort((a, b) => a.name.localeCompare(b.name, page.lang));
    return render(
      reply,
      'case-new',
      {
        ...page,
        form,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        platforms: await platformList(),
        categories: taxonomy.categories,
        countries,
        urgencies: CASE_URGENCIES,
        tlps: FORM_TLP,
        suggested: await suggestions(actor, form),
      },
      status,
    );
  }

  web.get('/cases/new', (request, reply) =>
    caseForm(request, reply, { urgency: 'normal', tlp: 'AMBER+STRICT', escalatedNow: 'on' }),
  );

  web.post('/cases', async (request, reply) => {
    const { actor } = signedIn(request);
    const form: CaseForm = {};
    for (const field of CASE_FIELDS) {
      const value = formString(request.body, field)?.trim();
      if (value) form[field] = value;
    }
    if (formString(request.body, 'action') === 'suggest') return caseForm(request, reply, form);
    const [platformCode, channelCode] = (form.channel ?? '').split('/');
    const toField = (apiField: string) =>
      apiField === 'platformCode' || apiField === 'channelCode'
        ? 'channel'
        : apiField.startsWith('items')
          ? 'itemUrl'
          : apiField;
    let created: CaseResponseDto;
    try {
      const dto = assertValid(CreateCaseDto, {
        platformCode: platformCode ?? '',
        channelCode: channelCode ?? '',
        title: form.title ?? '',
        summary: form.summary ?? '',
        categoryCode: form.categoryCode ?? '',
        country: form.country ?? '',
        ...(form.subcategoryCode && { subcategoryCode: form.subcategoryCode }),
        ...(form.contentLanguage && { contentLanguage: form.contentLanguage }),
        ...(form.contactId && { contactId: form.contactId }),
        ...(form.urgency && { urgency: form.urgency }),
        ...(form.tlp && { tlp: form.tlp }),
        consentToSharePattern: form.consentToSharePattern === 'on',
        ...(form.escalatedNow === 'on' && { escalatedAt: new Date().toISOString() }),
        ...(form.itemUrl && { items: [{ url: form.itemUrl, kind: 'other' }] }),
      });
      created = (await cases.create(actor, dto)).body;
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      const page = pageContext(request, 'ui.new.title');
      const errors = fieldErrors(page, error.errors ?? [], form, toField);
      if (errors.subcategoryCode && form.subcategoryCode)
        errors.subcategoryCode = page.t('ui.error.subcategory');
      if (errors.itemUrl && form.itemUrl) errors.itemUrl = page.t('ui.error.url');
      return caseForm(request, reply, form, errors, 400);
    }
    return seeOther(reply, `/web/cases/${created.id}?done=created`);
  });

  async function casePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { refused?: boolean; errors?: FieldError[] } = {},
    status = 200,
  ) {
    const { actor } = signedIn(request);
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const c = await cases.get(actor, id);
    const [timeline, known] = await Promise.all([
      events.list(actor, id, assertValid(ListQueryDto, { limit: 200 })),
      platformList(),
    ]);
    const platform = known.find((p) => p.code === c.platformCode);
    const channel = platform?.channels.find((ch) => ch.code === c.channelCode);
    const page: PageContext = pageContext(request, 'ui.case.details');
    const done = (request.query as Record<string, unknown>).done;
    return render(
      reply,
      'case',
      {
        ...page,
        title: `${c.reference} · ${c.title}`,
        c,
        platformName: platform?.name ?? c.platformCode,
        channelName: channel?.name ?? c.channelCode,
        timeline: timeline.data,
        steps: actor.role === 'viewer' ? [] : allowedSteps(c, new Date()),
        outcomes: CASE_OUTCOMES.filter((o) => o !== 'no_response'),
        refused: extra.refused ?? false,
        stepErrors: extra.errors?.length ? fieldErrors(page, extra.errors, {}) : {},
        notice:
          done === 'created'
            ? page.t('ui.case.created')
            : done === 'step'
              ? page.t('ui.case.stepDone')
              : undefined,
      },
      status,
    );
  }

  web.get<{ Params: { id: string } }>('/cases/:id', (request, reply) =>
    casePage(request, reply, request.params.id),
  );

  web.post<{ Params: { id: string } }>('/cases/:id/events', async (request, reply) => {
    const { actor } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const type = formString(request.body, 'type') ?? '';
    const note = formString(request.body, 'note')?.trim();
    const outcome = formString(request.body, 'outcome');
    try {
      if (!WEB_STEPS.includes(type as CaseEventType)) {
        throw new ValidationFailedError([{ field: 'type', message: 'unknown step' }]);
      }
      const dto = assertValid(CreateCaseEventDto, {
        type,
        ...(note && { note }),
        ...(outcome && (type === 'platform_responded' || type === 'closed') && { outcome }),
      });
      await events.add(actor, id, dto);
    } catch (error) {
      if (error instanceof DomainError && error.status === 409) {
        return casePage(request, reply, id, { refused: true }, 409);
      }
      if (error instanceof ValidationFailedError) {
        return casePage(request, reply, id, { errors: error.errors }, 400);
      }
      if (error instanceof DomainError && error.code === 'forbidden') {
        return errorPage(request, reply, 403, 'ui.error.forbiddenRole');
      }
      throw error;
    }
    return seeOther(reply, `/web/cases/${id}?done=step`);
  });
}
