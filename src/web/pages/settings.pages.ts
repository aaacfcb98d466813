import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CreateApiTokenDto, CreatedApiTokenResponseDto } from '../../auth/dto/api-token.dto';
import {
  CreateCalendarTokenDto,
  CreatedCalendarTokenResponseDto,
} from '../../calendar/dto/calendar-token.dto';
import { DomainError, FieldError } from '../../common/errors/domain-error';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { assertValid } from '../../common/validation/validation.pipe';
import { LANGUAGES } from '../../i18n/labels';
import { RetentionResponseDto, UpdateRetentionDto } from '../../retention/dto/retention.dto';
import { UpdateUserDto } from '../../users/dto/update-user.dto';
import type { WebDeps } from '../web';
import {
  errorPage,
  fieldErrors,
  formString,
  pageContext,
  render,
  seeOther,
  signedIn,
} from '../web-context';
import { languageName } from './directory.pages';
import { validOrErrors } from './page-query';

const TIME_ZONES: readonly string[] = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];
const NOTICES: Record<string, string> = {
  saved: 'ui.settings.saved',
  tokenRevoked: 'ui.settings.tokens.revoked',
  feedRevoked: 'ui.settings.calendar.revoked',
  retentionSaved: 'ui.settings.retention.saved',
};
/** The retention rules the page offers (the API takes any number of months from 1 to 240). */
const RETENTION_MONTHS = [6, 12, 24, 36, 60, 120] as const;

interface SettingsExtra {
  errors?: FieldError[];
  values?: Record<string, string>;
  createdToken?: CreatedApiTokenResponseDto;
  createdFeed?: CreatedCalendarTokenResponseDto & { absoluteUrl: string };
  /** A refusal of a token form (too many tokens), as a sentence. */
  refusalKey?: string;
}

/**
 * Account settings: language and time zone (the users service behind PATCH /v1/users/:id on
 * oneself), personal API tokens (the service behind /v1/auth/tokens: a secret shown once) and
 * calendar feeds (/v1/calendar-tokens). The web session counts as a password session.
 */
export function registerSettingsPages(web: FastifyInstance, { services }: WebDeps): void {
  const { config, users, apiTokens, calendarTokens, retention } = services;

  async function settingsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: SettingsExtra = {},
    status = 200,
  ) {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.settings.title');
    const list = assertValid(ListQueryDto, { limit: 200 });
    const [me, tokens, feeds, rule] = await Promise.all([
      users.get(actor, actor.userId),
      apiTokens.list(actor, list),
      calendarTokens.list(actor, list),
      // The organisation's retention rule: its org_admins decide it here.
      actor.role === 'org_admin'
        ? retention.get(actor, actor.organizationId)
        : Promise.resolve<RetentionResponseDto | null>(null),
    ]);
    const done = (request.query as Record<string, unknown>).done;
    const values = extra.values ?? {};
    return render(
      reply,
      'settings',
      {
        ...page,
        me,
        languages: LANGUAGES.map((code) => ({ code, name: languageName(code, code) })),
        timeZones: TIME_ZONES,
        values,
        errors: fieldErrors(page, extra.errors ?? [], values),
        refusal: extra.refusalKey ? page.t(extra.refusalKey) : undefined,
        tokens: tokens.data,
        feeds: feeds.data,
        createdToken: extra.createdToken,
        createdFeed: extra.createdFeed,
        retention: rule,
        retentionMonths: rule
          ? [...new Set([...RETENTION_MONTHS, rule.closedCaseMonths ?? 6])].sort((a, b) => a - b)
          : [],
        notice: typeof done === 'string' && NOTICES[done] ? page.t(NOTICES[done]) : undefined,
      },
      status,
    );
  }

  web.get('/settings', (request, reply) => settingsPage(request, reply));

  web.post('/settings', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = {
      language: formString(request.body, 'language') ?? '',
      timezone: formString(request.body, 'timezone') ?? '',
    };
    const errors: FieldError[] = [];
    if (!(LANGUAGES as readonly string[]).includes(values.language)) {
      errors.push({ field: 'language', message: 'invalid' });
    }
    if (!TIME_ZONES.includes(values.timezone))
      errors.push({ field: 'timezone', message: 'invalid' });
    const dto = validOrErrors(UpdateUserDto, values);
    if (errors.length || !dto.value) {
      return settingsPage(
        request,
        reply,
        { errors: [...errors, ...(dto.errors ?? [])], values },
        400,
      );
    }
    await users.update(actor, actor.userId, dto.value);
    return seeOther(reply, '/web/settings?done=saved');
  });

  web.post('/settings/tokens', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = {
      tokenName: formString(request.body, 'name')?.trim() ?? '',
      expiresInDays: formString(request.body, 'expiresInDays')?.trim() ?? '',
    };
    const days = values.expiresInDays === '' ? undefined : Number(values.expiresInDays);
    const dto = validOrErrors(CreateApiTokenDto, {
      name: values.tokenName,
      ...(days === undefined
        ? {}
        : { expiresInDays: Number.isNaN(days) ? values.expiresInDays : days }),
    });
    if (!dto.value) {
      const errors = dto.errors.map((e) => (e.field === 'name' ? { ...e, field: 'tokenName' } : e));
      return settingsPage(request, reply, { errors, values }, 400);
    }
    try {
      const createdToken = await apiTokens.create(actor, dto.value);
      // Shown in this answer only (never in a URL or a redirect): the page is not cached.
      return settingsPage(request, reply, { createdToken }, 201);
    } catch (error) {
      if (error instanceof DomainError && error.status === 409) {
        return settingsPage(
          request,
          reply,
          { refusalKey: 'ui.settings.tokens.tooMany', values },
          409,
        );
      }
      throw error;
    }
  });

  web.post<{ Params: { id: string } }>('/settings/tokens/:id/revoke', async (request, reply) => {
    const { actor } = signedIn(request);
    if (!isUUID(request.params.id)) return errorPage(request, reply, 404);
    await apiTokens.revoke(actor, request.params.id);
    return seeOther(reply, '/web/settings?done=tokenRevoked');
  });

  web.post('/settings/calendar', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = { feedName: formString(request.body, 'name')?.trim() ?? '' };
    const dto = validOrErrors(
      CreateCalendarTokenDto,
      values.feedName ? { name: values.feedName } : {},
    );
    if (!dto.value) {
      const errors = dto.errors.map((e) => ({ ...e, field: 'feedName' }));
      return settingsPage(request, reply, { errors, values }, 400);
    }
    try {
      const created = await calendarTokens.create(actor, dto.value);
      // The configured public address, never the request's Host header.
      const absoluteUrl = `${config.publicBaseUrl}${created.url}`;
      return settingsPage(request, reply, { createdFeed: { ...created, absoluteUrl } }, 201);
    } catch (error) {
      if (error instanceof DomainError && error.status === 409) {
        return settingsPage(
          request,
          reply,
          { refusalKey: 'ui.settings.calendar.tooMany', values },
          409,
        );
      }
      throw error;
    }
  });

  web.post<{ Params: { id: string } }>('/settings/calendar/:id/revoke', async (request, reply) => {
    const { actor } = signedIn(request);
    if (!isUUID(request.params.id)) return errorPage(request, reply, 404);
    await calendarTokens.revoke(actor, request.params.id);
    return seeOther(reply, '/web/settings?done=feedRevoked');
  });

  web.post('/settings/retention', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = {
      closedCaseMonths: formString(request.body, 'closedCaseMonths')?.trim() ?? '',
      keepIndicatorHashes: formString(request.body, 'keepIndicatorHashes') ?? '',
    };
    const months = values.closedCaseMonths === '' ? null : Number(values.closedCaseMonths);
    const dto = validOrErrors(UpdateRetentionDto, {
      closedCaseMonths: months !== null && Number.isNaN(months) ? values.closedCaseMonths : months,
      keepIndicatorHashes: values.keepIndicatorHashes === 'on',
    });
    if (!dto.value) return settingsPage(request, reply, { errors: dto.errors, values }, 400);
    // The service decides who may (an org_admin of the organisation; others get 403).
    await retention.set(actor, actor.organizationId, dto.value);
    return seeOther(reply, '/web/settings?done=retentionSaved');
  });
}
