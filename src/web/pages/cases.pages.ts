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
} from '../../cases/case-status.machine';
import { CASE_ITEM_KINDS } from '../../cases/case-item.entity';
import { INDICATOR_KINDS } from '../../cases/indicator';
import { TARGET_GROUPS } from '../../cases/taxonomy';
import { CreateCaseEventDto } from '../../cases/dto/case-event.dto';
import {
  CaseResponseDto,
  CaseSummaryResponseDto,
  CreateCaseDto,
  UpdateCaseDto,
} from '../../cases/dto/case.dto';
import { requireChangeRight } from '../../cases/case-rules';
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
import { toLocalInput } from '../zoned-time';
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
  EMPTY_ITEM,
  formValues,
  MAX_FORM_ROWS,
  readCaseForm,
  rows,
  serviceChecks,
} from './case-form';
import {
  DECISION_GROUNDS,
  QUALITY_QUESTIONS,
  readStepForm,
  stepBody,
  stepFieldOf,
} from './case-steps';

const PAGE_SIZE = 25;
/** Pages of the queue one can walk (offsets beyond cost the database for nobody). */
const MAX_QUEUE_PAGE = 200;
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
  'platform_requested_info',
  'info_provided',
  'platform_responded',
  'closed',
  'reopened',
  'note',
];
/** Indicators whose matches the case page looks up (each is one protected query). */
const MATCHED_INDICATORS = 10;

const notFoundAsNull = (error: unknown) => {
  if (error instanceof DomainError && error.status === 404) return null;
  throw error;
};

/** The change right of the service (requireChangeRight), for what the page offers. */
function mayChange(actor: Actor, c: CaseResponseDto): boolean {
  try {
    requireChangeRight(actor, { ...c, sharedUserIds: c.shareWithUserIds });
    return true;
  } catch {
    return false;
  }
}
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

  /** The queue's views: every open case, mine, nobody's. */
  const QUEUE_VIEWS = ['all', 'mine', 'unassigned'] as const;

  web.get('/cases', async (request, reply) => {
    const { actor } = signedIn(request);
    const query = request.query as Record<string, unknown>;
    const view = QUEUE_VIEWS.find((v) => v === query.view) ?? 'all';
    const pageNumber = Math.min(
      Math.max(1, Number.parseInt(String(query.page ?? '1'), 10) || 1),
      MAX_QUEUE_PAGE,
    );
    const owner = view === 'mine' ? 'me' : view === 'unassigned' ? 'none' : undefined;
    const [{ rows, more }, organization, known] = await Promise.all([
      cases.queue(actor, owner, { offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
      organizations.get(actor.organizationId),
      platformList(),
    ]);
    const platformNames = new Map(known.map((p) => [p.code, p.name]));
    const now = clock.now().getTime();
    const href = (v: string, n = 1) =>
      `/web/cases${v === 'all' && n === 1 ? '' : `?${new URLSearchParams({ ...(v !== 'all' && { view: v }), ...(n > 1 && { page: String(n) }) })}`}`;
    return render(reply, 'cases', {
      ...pageContext(request, 'ui.cases.title', { org: organization.name }),
      cases: rows.map((c) => ({
        ...c,
        platformName: platformNames.get(c.platformCode) ?? c.platformCode,
        lateHours:
          c.overdue && c.dueAt ? Math.floor((now - Date.parse(c.dueAt)) / 3_600_000) : null,
      })),
      views: QUEUE_VIEWS.map((v) => ({ view: v, href: href(v), current: v === view })),
      view,
      next: more && pageNumber < MAX_QUEUE_PAGE ? href(view, pageNumber + 1) : null,
      previous: pageNumber > 1 ? href(view, pageNumber - 1) : null,
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
    // Each channel's playbook and open incidents, shown beside the channel choice.
    const channelIds = platforms.flatMap((p) => p.channels.map((ch) => ch.id));
    const [playbookOf, open] = await Promise.all([
      services.playbooks.currentOf(actor, channelIds),
      services.incidents.openOf(actor, channelIds),
    ]);
    const guidance = platforms.flatMap((p) =>
      p.channels
        .map((ch) => ({
          value: `${p.code}/${ch.code}`,
          href: `/web/channels/${p.code}/${ch.code}`,
          name: `${p.name} · ${ch.name}`,
          playbook: playbookOf.get(ch.id) ?? null,
          incidents: open.filter((i) => i.platformCode === p.code && i.channelCode === ch.code),
        }))
        .filter((g) => g.playbook || g.incidents.length > 0),
    );
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
        itemRows: rows(form.items, EMPTY_ITEM, moreRows),
        indicatorRows: rows(form.indicators, { kind: '', value: '' }, moreRows),
        maxRows: MAX_FORM_ROWS,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        platforms: channelChoices(platforms, usable).map((p) => ({
          ...p,
          channels: p.channels.map((ch) => ({ ...ch, label: channelName(p, ch) })),
        })),
        guidance,
        categories: taxonomy.categories,
        countries,
        urgencies: CASE_URGENCIES,
        tlps: TLP_LEVELS,
        targetGroups: TARGET_GROUPS,
        indicatorKinds: INDICATOR_KINDS,
        itemKinds: CASE_ITEM_KINDS,
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
    const body = caseBody(form, clock.now(), signedIn(request).user.timezone);
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

  /** Names the page shows for ids: colleagues (the case's own organisation) and contacts. */
  async function casePeople(actor: Actor, c: CaseResponseDto, canChange: boolean) {
    const own = c.organizationId === actor.organizationId;
    const [colleagues, current, platformContacts] = await Promise.all([
      own
        ? users
            .listForOrganization(
              actor,
              actor.organizationId,
              assertValid(ListQueryDto, { limit: 200 }),
            )
            .then((p) => p.data)
        : [],
      c.contactId ? contacts.get(actor, c.contactId, false).catch(notFoundAsNull) : null,
      canChange
        ? contacts
            .list(actor, assertValid(ContactQueryDto, { platform: c.platformCode, limit: 100 }))
            .then((p) => p.data)
        : [],
    ]);
    const userNames = new Map(colleagues.map((u) => [u.id, u.displayName]));
    const contactNames = new Map(platformContacts.map((k) => [k.id, k.fullName]));
    if (current) contactNames.set(current.id, current.fullName);
    for (const next of current?.successorChain ?? []) contactNames.set(next.id, next.fullName);
    return {
      userNames,
      contactNames,
      contact: current,
      // Who may own it (ownerErrors): active members and org_admins; on RED, its people.
      ownerChoices: colleagues.filter(
        (u) =>
          u.active &&
          (u.role === 'member' || u.role === 'org_admin') &&
          (c.tlp !== 'RED' || u.id === c.createdBy || c.shareWithUserIds.includes(u.id)),
      ),
      contactChoices: platformContacts,
    };
  }

  /** How many other helplines logged each of the case's indicators (the API's protected match). */
  async function indicatorMatches(actor: Actor, c: CaseResponseDto) {
    return Promise.all(
      c.indicators.slice(0, MATCHED_INDICATORS).map(async (i) => ({
        ...i,
        organizations: (await cases.matchIndicator(actor, { kind: i.kind, value: i.value }))
          .organizations,
      })),
    );
  }

  async function casePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: {
      refused?: 'step' | 'stale';
      errors?: FieldError[];
      /** The form that was refused, as posted: shown again with its errors. */
      failed?: { form: string; values: Record<string, string> };
    } = {},
    status = 200,
  ) {
    const { actor, user } = signedIn(request);
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const c = await cases.get(actor, id);
    const now = clock.now();
    const canChange = actor.role !== 'viewer' && mayChange(actor, c);
    const [timeline, known, people, matches, sharedWith] = await Promise.all([
      events.list(actor, id, assertValid(ListQueryDto, { limit: 200 })),
      platformList(),
      casePeople(actor, c, canChange),
      indicatorMatches(actor, c),
      sharedNames(actor, c),
    ]);
    const platform = known.find((p) => p.code === c.platformCode);
    const channelName = (code: string) =>
      platform?.channels.find((ch) => ch.code === code)?.name ?? code;
    const page: PageContext = pageContext(request, 'ui.case.details');
    const done = (request.query as Record<string, unknown>).done;
    const failed = extra.failed;
    return render(
      reply,
      'case',
      {
        ...page,
        title: `${c.reference} · ${c.title}`,
        c,
        platformName: platform?.name ?? c.platformCode,
        channelName: channelName(c.channelCode),
        channels: platform?.channels ?? [],
        channelNameOf: channelName,
        timeline: timeline.data,
        sharedWith,
        ...people,
        userName: (id: string | null | undefined) =>
          id ? (people.userNames.get(id) ?? page.t('ui.case.someoneElse')) : '',
        contactName: (id: string | null | undefined) =>
          id ? (people.contactNames.get(id) ?? page.t('ui.case.contactHidden')) : '',
        matches,
        canChange,
        steps: canChange ? allowedSteps(c, now) : [],
        outcomes: CASE_OUTCOMES.filter((o) => o !== 'no_response'),
        qualityQuestions: QUALITY_QUESTIONS,
        decisionGrounds: DECISION_GROUNDS,
        nowLocal: toLocalInput(now, user.timezone),
        timeZone: user.timezone,
        refused: extra.refused,
        failed: failed?.form,
        values: failed?.values ?? {},
        errors: extra.errors?.length
          ? fieldErrors(page, extra.errors, failed?.values ?? {}, stepFieldOf)
          : {},
        notice:
          done === 'created'
            ? page.t('ui.case.created')
            : done === 'step'
              ? page.t('ui.case.stepDone')
              : done === 'owner' || done === 'contact'
                ? page.t('ui.case.saved')
                : undefined,
      },
      status,
    );
  }

  web.get<{ Params: { id: string } }>('/cases/:id', (request, reply) =>
    casePage(request, reply, request.params.id),
  );

  /** What a refused write of the case page shows: the page again, with why. */
  async function refusedOnCasePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    failed: { form: string; values: Record<string, string> },
    error: unknown,
  ) {
    if (error instanceof DomainError && error.status === 409) {
      return casePage(request, reply, id, { refused: 'step', failed }, 409);
    }
    if (error instanceof DomainError && error.status === 412) {
      return casePage(request, reply, id, { refused: 'stale' }, 409);
    }
    if (error instanceof ValidationFailedError) {
      return casePage(request, reply, id, { errors: error.errors, failed }, 400);
    }
    if (error instanceof DomainError && error.code === 'forbidden') {
      return errorPage(request, reply, 403, 'ui.error.forbiddenRole');
    }
    throw error;
  }

  web.post<{ Params: { id: string } }>('/cases/:id/events', async (request, reply) => {
    const { actor, user } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const values = readStepForm(request.body);
    const failed = { form: values.type ?? '', values };
    try {
      if (!WEB_STEPS.includes(values.type as CaseEventType)) {
        throw new ValidationFailedError([{ field: 'type', message: 'unknown step' }]);
      }
      const { body, errors } = stepBody(values, user.timezone);
      if (errors.length > 0) throw new ValidationFailedError(errors);
      await events.add(actor, id, assertValid(CreateCaseEventDto, body));
    } catch (error) {
      return refusedOnCasePage(request, reply, id, failed, error);
    }
    return seeOther(reply, `/web/cases/${id}?done=step`);
  });

  /** Hand the case to a colleague (or nobody), or change the contact it went through. */
  for (const [path, field] of [
    ['owner', 'ownerId'],
    ['contact', 'contactId'],
  ] as const) {
    web.post<{ Params: { id: string } }>(`/cases/:id/${path}`, async (request, reply) => {
      const { actor } = signedIn(request);
      const id = request.params.id;
      if (!isUUID(id)) return errorPage(request, reply, 404);
      const value = formString(request.body, field)?.trim() ?? '';
      const version = Number(formString(request.body, 'version'));
      const failed = { form: path, values: { [field]: value } };
      try {
        const dto = assertValid(UpdateCaseDto, { [field]: value || null });
        await cases.update(
          actor,
          id,
          dto,
          Number.isSafeInteger(version) ? { versions: [version] } : undefined,
        );
      } catch (error) {
        return refusedOnCasePage(request, reply, id, failed, error);
      }
      return seeOther(reply, `/web/cases/${id}?done=${path}`);
    });
  }
}
