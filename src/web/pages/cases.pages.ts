import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import taxonomy from '../../cases/data/taxonomy.json';
import {
  applyStep,
  CASE_OUTCOMES,
  CASE_URGENCIES,
  CaseEventType,
  CaseState,
  OPEN_STATUSES,
} from '../../cases/case-status.machine';
import { INDICATOR_KINDS } from '../../cases/indicator';
import { TARGET_GROUPS } from '../../cases/taxonomy';
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
import { ContactQueryDto, ContactSummaryResponseDto } from '../../contacts/dto/contact.dto';
import { OrganizationQueryDto } from '../../organizations/dto/organization-query.dto';
import {
  ChannelResponseDto,
  PlatformQueryDto,
  PlatformResponseDto,
} from '../../platforms/dto/platform.dto';
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
import {
  CaseForm,
  caseBody,
  caseFieldOf,
  channelChoices,
  emptyForm,
  formValues,
  MAX_FORM_ROWS,
  readCaseForm,
  rows,
  serviceChecks,
} from './case-form';

const PAGE_SIZE = 25;
/** Contacts of the platform the form lists besides the suggestions. */
const OTHER_CONTACTS = 20;

/** A contact the form offers, with the successor of one who left. */
type ContactChoice = ContactSummaryResponseDto & {
  successor: { id: string; fullName: string } | null;
};
/** The timeline steps a person records from the case page, in the order they are offered. */
export const WEB_STEPS: readonly CaseEventType[] = [
  'escalated',
  'follow_up_sent',
  'platform_acknowledged',
  'platform_responded',
  'closed',
  'reopened',
];
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
export function registerCasePages(web: FastifyInstance, { services }: WebDeps): void {
  const { cases, caseEvents: events, platforms, contacts, organizations, users, clock } = services;

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

  /** A contact as the form offers it: if they left, who replaced them (as far as the user sees). */
  async function withSuccessor(
    actor: Actor,
    contact: ContactSummaryResponseDto,
  ): Promise<ContactChoice> {
    if (contact.status !== 'left' || !contact.successorId) return { ...contact, successor: null };
    const { successorChain } = await contacts.get(actor, contact.id, false);
    // The first of the chain still there; if all have left, the latest of them.
    const successor =
      successorChain.find((s) => s.status !== 'left') ?? successorChain.at(-1) ?? null;
    return {
      ...contact,
      successor: successor && { id: successor.id, fullName: successor.fullName },
    };
  }

  /**
   * The contacts the form offers once the platform is chosen: "who to write to now" (the
   * directory's and GET /v1/contacts?best=true's suggestions, never someone who left), then the
   * others working for the platform, those who left too, each with their successor; and the
   * chosen one wherever it comes from. `departed` is the chosen contact if they left.
   */
  async function contactChoices(actor: Actor, fields: CaseForm['fields']) {
    const [platform] = (fields.channel ?? '').split('/');
    let suggested: ContactSummaryResponseDto[] | null = null;
    let others: ContactSummaryResponseDto[] = [];
    if (platform) {
      const list = async (query: Record<string, unknown>) =>
        (await contacts.list(actor, assertValid(ContactQueryDto, { platform, ...query }))).data;
      try {
        if (fields.country) {
          suggested = await list({
            country: fields.country,
            ...(fields.contentLanguage ? { language: fields.contentLanguage } : {}),
            best: true,
            limit: 3,
          });
        }
        const shown = new Set(suggested?.map((c) => c.id));
        others = (await list({ limit: OTHER_CONTACTS })).filter((c) => !shown.has(c.id));
      } catch (error) {
        if (!(error instanceof ValidationFailedError)) throw error;
      }
    }
    const chosenId = fields.contactId;
    const listed = [...(suggested ?? []), ...others].find((c) => c.id === chosenId);
    if (chosenId && isUUID(chosenId) && !listed) {
      try {
        others.unshift(await contacts.get(actor, chosenId, false));
      } catch (error) {
        // Not a contact the user may see: the case is refused naming contactId.
        if (!(error instanceof DomainError && error.status === 404)) throw error;
      }
    }
    const otherChoices = await Promise.all(others.map((c) => withSuccessor(actor, c)));
    return {
      suggested,
      others: otherChoices,
      departed: otherChoices.find((c) => c.id === chosenId && c.status === 'left') ?? null,
    };
  }

  /** The other organisations of the community (AMBER) and my active colleagues (RED). */
  async function sharingChoices(actor: Actor, lang: string) {
    const [orgs, colleagues] = await Promise.all([
      organizations.list(assertValid(OrganizationQueryDto, { limit: 200 })),
      users.listForOrganization(
        actor,
        actor.organizationId,
        assertValid(ListQueryDto, { limit: 200 }),
      ),
    ]);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, lang);
    return {
      organizations: orgs.data
        .filter((o) => o.id !== actor.organizationId)
        .map((o) => ({ id: o.id, name: o.name }))
        .sort(byName),
      colleagues: colleagues.data
        .filter((u) => u.active && u.id !== actor.userId)
        .map((u) => ({ id: u.id, name: u.displayName, email: u.email }))
        .sort(byName),
    };
  }

  async function caseForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: CaseForm,
    errors: Record<string, string> = {},
    status = 200,
    moreRows = false,
  ) {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.new.title');
    const countries = [...COUNTRY_CODES]
      .map((code) => ({ code, name: page.label('country', code) }))
      .sort((a, b) => a.name.localeCompare(b.name, page.lang));
    const [platforms, usable, choices, sharing] = await Promise.all([
      platformList(),
      services.platforms.usableChannelIds(actor.organizationId, form.fields.country ?? null),
      contactChoices(actor, form.fields),
      sharingChoices(actor, page.lang),
    ]);
    // Channel names come in English only (the reference data has no other): elsewhere the kind
    // names the channel, and the name only tells apart two channels of one kind.
    const channelName = (p: PlatformResponseDto, ch: ChannelResponseDto) => {
      const kind = page.label('channelKind', ch.kind);
      const alike = p.channels.filter((o) => o.kind === ch.kind).length > 1;
      return page.lang === 'en' || alike ? `${ch.name} (${kind})` : kind;
    };
    return render(
      reply,
      'case-new',
      {
        ...page,
        form: form.fields,
        lists: form.lists,
        itemRows: rows(form.itemUrls, '', moreRows),
        indicatorRows: rows(form.indicators, { kind: '', value: '' }, moreRows),
        maxRows: MAX_FORM_ROWS,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        platforms: channelChoices(platforms, usable).map((p) => ({
          ...p,
          channels: p.channels.map((ch) => ({ ...ch, label: channelName(p, ch) })),
        })),
        categories: taxonomy.categories,
        countries,
        urgencies: CASE_URGENCIES,
        tlps: TLP_LEVELS,
        targetGroups: TARGET_GROUPS,
        indicatorKinds: INDICATOR_KINDS,
        ...sharing,
        ...choices,
      },
      status,
    );
  }

  /** Viewers read and export; the form is not theirs (as POST /v1/cases answers them 403). */
  const refuseViewer = (request: FastifyRequest, reply: FastifyReply) =>
    signedIn(request).actor.role === 'viewer'
      ? errorPage(request, reply, 403, 'ui.error.forbiddenRole')
      : undefined;

  web.get('/cases/new', async (request, reply) => {
    const refused = refuseViewer(request, reply);
    if (refused) return refused;
    // Most cases come from the organisation's own country: preset to its first one.
    const { countries } = await organizations.get(signedIn(request).actor.organizationId);
    return caseForm(
      request,
      reply,
      // One key per form: a post re-sent over a flaky connection gives back the same case.
      emptyForm({
        urgency: 'normal',
        tlp: 'AMBER+STRICT',
        escalatedNow: 'on',
        submission: randomUUID(),
        ...(countries[0] && { country: countries[0] }),
      }),
    );
  });

  web.post('/cases', async (request, reply) => {
    const refused = refuseViewer(request, reply);
    if (refused) return refused;
    const { actor } = signedIn(request);
    const form = readCaseForm(request.body);
    // The form's other buttons: suggest a contact, more rows (nothing is written).
    const action = formString(request.body, 'action');
    if (action === 'suggest' || action === 'rows') {
      return caseForm(request, reply, form, {}, 200, action === 'rows');
    }
    let created: CaseResponseDto;
    // The service's clock: "sent now" is the instant the case is logged, not a moment before.
    const body = caseBody(form, clock.now());
    try {
      const dto = assertValid(CreateCaseDto, body);
      // A contact who left: logged through them only once the warning naming the successor was
      // seen and confirmed (the form shows it with the choices, and with the DTO's refusals).
      if (dto.contactId && form.fields.departedConfirmed !== 'on') {
        const { departed } = await contactChoices(actor, { contactId: dto.contactId });
        if (departed) return await caseForm(request, reply, form);
      }
      const submission = form.fields.submission;
      created = isUUID(submission)
        ? (await cases.create(actor, dto, `web-form:${submission}`, 'key')).body
        : (await cases.create(actor, dto)).body;
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      const page = pageContext(request, 'ui.new.title');
      const values = formValues(form);
      // The DTO's refusal comes before the service's own checks: run those pure ones too, so
      // the form shows every mistake at once (create() checks them again on the next post).
      const found = [...(error.errors ?? []), ...serviceChecks(body)];
      const errors = fieldErrors(page, found, values, caseFieldOf);
      // Where the generic "not valid" would not say what to fix, a message that does.
      for (const field of Object.keys(errors)) {
        if (!values[field] && field !== 'shareWithOrganizationIds') continue;
        if (field === 'subcategoryCode') errors[field] = page.t('ui.error.subcategory');
        if (field.startsWith('itemUrl')) errors[field] = page.t('ui.error.url');
        if (field.startsWith('indicatorValue')) {
          const kind = form.indicators[Number(field.slice('indicatorValue'.length))]?.kind;
          errors[field] = (INDICATOR_KINDS as readonly string[]).includes(kind)
            ? page.t(`ui.indicatorHint.${kind}`)
            : page.t('ui.error.invalid');
        }
        if (field === 'shareWithOrganizationIds' && !values[field])
          errors[field] = page.t('ui.error.shareOrganizations');
      }
      return caseForm(request, reply, form, errors, 400);
    }
    return seeOther(reply, `/web/cases/${created.id}?done=created`);
  });

  /**
   * Who the case is shared with, by name: AMBER's organisations (the community's directory) and
   * RED's people as far as the reader may list them (colleagues); the others are counted.
   */
  async function sharedNames(
    actor: Actor,
    c: CaseResponseDto,
  ): Promise<{ names: string[]; others: number }> {
    if (c.tlp === 'AMBER') {
      const found = await Promise.all(
        c.shareWithOrganizationIds.map((id) => organizations.findById(id)),
      );
      const names = found.flatMap((o) => (o ? [o.name] : []));
      return { names, others: c.shareWithOrganizationIds.length - names.length };
    }
    if (c.tlp === 'RED' && c.shareWithUserIds.length > 0) {
      const colleagues = await users.listForOrganization(
        actor,
        actor.organizationId,
        assertValid(ListQueryDto, { limit: 200 }),
      );
      const names = colleagues.data
        .filter((u) => c.shareWithUserIds.includes(u.id))
        .map((u) => u.displayName);
      return { names, others: c.shareWithUserIds.length - names.length };
    }
    return { names: [], others: 0 };
  }

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
    const sharedWith = await sharedNames(actor, c);
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
        sharedWith,
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
