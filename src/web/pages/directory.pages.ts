import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TARGET_GROUPS } from '../../cases/taxonomy';
import { Actor } from '../../common/auth/actor';
import { DomainError, FieldError } from '../../common/errors/domain-error';
import { COUNTRY_CODES } from '../../common/reference/countries';
import { assertValid } from '../../common/validation/validation.pipe';
import {
  ContactQueryDto,
  ContactResponseDto,
  ContactSummaryResponseDto,
  TenureResponseDto,
} from '../../contacts/dto/contact.dto';
import { TurnoverQueryDto, TurnoverResponseDto } from '../../contacts/dto/turnover.dto';
import { Lang } from '../../i18n/labels';
import { OrganizationQueryDto } from '../../organizations/dto/organization-query.dto';
import { ORGANIZATION_SERVICES } from '../../organizations/organization-services';
import { PartnersQueryDto, PartnersResponseDto } from '../../platforms/dto/channel-access.dto';
import { PlatformQueryDto, PlatformResponseDto } from '../../platforms/dto/platform.dto';
import type { WebDeps } from '../web';
import { errorPage, fieldErrors, PageContext, pageContext, render, signedIn } from '../web-context';
import { queryParams, validOrErrors } from './page-query';

const PAGE_SIZE = 25;
const CONTACT_STATUSES = ['active', 'unverified', 'unresponsive', 'left'] as const;

/** Countries by their name in the page's language, for the filter selects. */
export function countryOptions(page: PageContext): { code: string; name: string }[] {
  return [...COUNTRY_CODES]
    .map((code) => ({ code, name: page.label('country', code) }))
    .sort((a, b) => a.name.localeCompare(b.name, page.lang));
}

/** A language tag's name in the page's language (`es` -> "español"), else the tag. */
export function languageName(lang: Lang, tag: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'language', fallback: 'code' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** The open tenure of a contact (the latest without an end), if any. */
const currentTenure = (tenures: TenureResponseDto[]) =>
  tenures.filter((t) => t.endedOn === null).pop() ?? null;

/**
 * The platform contacts directory (with turnover and "who to write to now"), a contact's page,
 * trusted partners by platform and country, and the community's directory of organisations.
 * Every read goes through the API's services with the signed-in user's Actor.
 */
export function registerDirectoryPages(web: FastifyInstance, { services }: WebDeps): void {
  const { contacts, platforms, organizations } = services;

  const platformList = async (): Promise<PlatformResponseDto[]> =>
    (await platforms.list(assertValid(PlatformQueryDto, { limit: 200 }))).data;

  /** A refusal of the input (unknown platform, bad filter) as field errors; anything else thrown. */
  const asFieldErrors = (error: unknown, field: string): FieldError[] => {
    if (error instanceof DomainError && (error.status === 400 || error.status === 404)) {
      return error.errors?.length ? error.errors : [{ field, message: 'invalid' }];
    }
    throw error;
  };

  /** Contacts of a page with their current role (one query, under the same visibility rule). */
  async function withTenures(actor: Actor, rows: ContactSummaryResponseDto[]) {
    const roles = await contacts.currentTenures(
      actor,
      rows.map((c) => c.id),
    );
    return rows.map((c) => ({ ...c, tenure: roles.get(c.id) ?? null }));
  }

  web.get('/contacts', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.directory.contacts.title');
    const filters = queryParams(request, ['platform', 'country', 'language', 'status']);
    const cursor = queryParams(request, ['cursor']).cursor;
    const known = await platformList();
    let errors: FieldError[] = [];
    let rows: (ContactSummaryResponseDto & { tenure: TenureResponseDto | null })[] = [];
    let next: string | null = null;
    let best: ContactSummaryResponseDto[] | null = null;
    let turnover: TurnoverResponseDto | null = null;
    const listed = validOrErrors(ContactQueryDto, { ...filters, limit: PAGE_SIZE, cursor });
    if (listed.errors) {
      errors = listed.errors;
    } else {
      try {
        const found = await contacts.list(actor, listed.value);
        rows = await withTenures(actor, found.data);
        next = found.nextCursor;
        if (filters.platform && filters.country) {
          const { status: _status, ...where } = filters;
          const query = assertValid(ContactQueryDto, { ...where, best: true, limit: 3 });
          best = (await contacts.list(actor, query)).data;
        }
        if (filters.platform) {
          turnover = await contacts.turnover(
            actor,
            filters.platform,
            assertValid(TurnoverQueryDto, {}),
          );
        }
      } catch (error) {
        errors = asFieldErrors(error, 'platform');
      }
    }
    const platformNames = new Map(known.map((p) => [p.code, p.name]));
    return render(
      reply,
      'contacts',
      {
        ...page,
        filters,
        errors: fieldErrors(page, errors, filters),
        platforms: known,
        platformNames: Object.fromEntries(platformNames),
        countries: countryOptions(page),
        statuses: CONTACT_STATUSES,
        contacts: rows,
        best,
        turnover,
        turnoverGaps: turnover
          ? Object.entries(turnover.longestGapDays).sort((a, b) => b[1] - a[1])
          : [],
        languageName: (tag: string) => languageName(page.lang, tag),
        next,
        nextQuery: next ? new URLSearchParams({ ...filters, cursor: next }).toString() : null,
        firstQuery: cursor ? new URLSearchParams(filters).toString() : null,
      },
      errors.length ? 400 : 200,
    );
  });

  web.get<{ Params: { id: string } }>('/contacts/:id', async (request, reply) => {
    const { actor } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    // Audited as contact.read, like GET /v1/contacts/:id; 404 when not visible.
    const contact: ContactResponseDto = await contacts.get(actor, id);
    const [known, predecessors] = await Promise.all([
      platformList(),
      Promise.all(contact.predecessorIds.map((p) => contacts.get(actor, p, false))),
    ]);
    const page = pageContext(request, 'ui.directory.contact.title');
    const platform = known.find((p) => p.code === contact.platformCode);
    return render(reply, 'contact', {
      ...page,
      title: contact.fullName,
      contact,
      platformName: platform?.name ?? contact.platformCode,
      otherPlatformNames: contact.otherPlatformCodes.map(
        (code) => known.find((p) => p.code === code)?.name ?? code,
      ),
      tenure: currentTenure(contact.tenures),
      currentChannels: contact.channels.filter((c) => c.current),
      pastChannels: contact.channels.filter((c) => !c.current),
      departures: contact.tenures.filter((t) => t.endedOn !== null),
      predecessors: predecessors.map((p) => ({ id: p.id, fullName: p.fullName, leftOn: p.leftOn })),
      languageName: (tag: string) => languageName(page.lang, tag),
    });
  });

  web.get('/partners', async (request, reply) => {
    const page = pageContext(request, 'ui.directory.partners.title');
    const filters = queryParams(request, ['platform', 'country']);
    const known = await platformList();
    let errors: FieldError[] = [];
    let partners: PartnersResponseDto | null = null;
    if (filters.platform || filters.country) {
      const query = validOrErrors(PartnersQueryDto, { country: filters.country ?? '' });
      if (!filters.platform) errors.push({ field: 'platform', message: 'required' });
      if (query.errors) errors.push(...query.errors);
      if (errors.length === 0 && query.value) {
        try {
          partners = await platforms.partners(filters.platform!, query.value);
        } catch (error) {
          errors = asFieldErrors(error, 'platform');
        }
      }
    }
    return render(
      reply,
      'partners',
      {
        ...page,
        filters,
        errors: fieldErrors(page, errors, filters),
        platforms: known,
        platformName: known.find((p) => p.code === filters.platform)?.name ?? filters.platform,
        countries: countryOptions(page),
        partners,
      },
      errors.length ? 400 : 200,
    );
  });

  web.get('/organizations', async (request: FastifyRequest, reply: FastifyReply) => {
    const page = pageContext(request, 'ui.directory.organizations.title');
    const filters = queryParams(request, ['q', 'service', 'population', 'country', 'language']);
    const cursor = queryParams(request, ['cursor']).cursor;
    const query = validOrErrors(OrganizationQueryDto, { ...filters, limit: PAGE_SIZE, cursor });
    const found = query.value ? await organizations.list(query.value) : null;
    return render(
      reply,
      'organizations',
      {
        ...page,
        filters,
        errors: fieldErrors(page, query.errors ?? [], filters),
        countries: countryOptions(page),
        services: ORGANIZATION_SERVICES,
        populations: TARGET_GROUPS,
        organizations: found?.data ?? [],
        languageName: (tag: string) => languageName(page.lang, tag),
        nextQuery: found?.nextCursor
          ? new URLSearchParams({ ...filters, cursor: found.nextCursor }).toString()
          : null,
        firstQuery: cursor ? new URLSearchParams(filters).toString() : null,
      },
      query.errors ? 400 : 200,
    );
  });
}
