import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, FieldError } from '../../common/errors/domain-error';
import { parseIfMatch } from '../../common/http/if-match';
import { assertValid } from '../../common/validation/validation.pipe';
import {
  ChannelAccessQueryDto,
  ApproveChannelAccessDto,
  ChannelAccessReasonDto,
  RegistryOverviewQueryDto,
} from '../../channels/dto/channel-access.dto';
import { CreateIncidentDto } from '../../channels/dto/incident.dto';
import { INCIDENT_KINDS } from '../../channels/channel-incident.entity';
import { PlaybookResponseDto, PutPlaybookDto } from '../../channels/dto/playbook.dto';
import { PlatformQueryDto } from '../../platforms/dto/platform.dto';
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
import { countryOptions } from './directory.pages';
import { queryParams, validOrErrors } from './page-query';

/** The playbook's fields, in the order the page shows and edits them. */
export const PLAYBOOK_FIELDS = [
  'evidence',
  'language',
  'subjectLine',
  'formFields',
  'pitfalls',
  'eligibility',
  'howToApply',
] as const;
const CODE = /^[a-z0-9][a-z0-9_]{0,59}$/;
const REGISTRY_NOTICES: Record<string, string> = {
  approved: 'ui.registry.approvedNotice',
  refused: 'ui.registry.refusedNotice',
  changed: 'ui.registry.changedNotice',
};
const NOTICES: Record<string, string> = {
  saved: 'ui.channel.saved',
  reported: 'ui.channel.reported',
  confirmed: 'ui.channel.confirmed',
};

interface ChannelExtra {
  values?: Record<string, string>;
  errors?: FieldError[];
  /** The incident form as sent, and what was wrong with it. */
  report?: Record<string, string>;
  reportErrors?: FieldError[];
  /** Someone saved a version since the form was read. */
  conflict?: boolean;
}

/**
 * The trusted-partner registry by platform and country, and a channel's page: its playbook
 * (every version kept; members edit it with the version they read), how to join, and its open
 * incidents. The same services as the API, with the signed-in user's Actor.
 */
export function registerChannelPages(web: FastifyInstance, { services }: WebDeps): void {
  const { platforms, registry, playbooks, incidents } = services;

  web.get('/registry', async (request, reply) => {
    const page = pageContext(request, 'ui.registry.title');
    const filters = queryParams(request, ['platform', 'country']);
    const query = validOrErrors(RegistryOverviewQueryDto, filters);
    const known = (await platforms.list(assertValid(PlatformQueryDto, { limit: 200 }))).data;
    const overview = query.value ? await registry.overview(query.value) : null;
    // The community coordination decides the claims here (the API's approve and refuse).
    const { actor } = signedIn(request);
    const claims =
      actor.role === 'admin'
        ? (
            await registry.list(
              actor,
              assertValid(ChannelAccessQueryDto, { status: 'claimed', limit: 200 }),
            )
          ).data
        : [];
    const done = (request.query as Record<string, unknown>).done;
    return render(
      reply,
      'registry',
      {
        ...page,
        filters,
        errors: fieldErrors(page, query.errors ?? [], filters),
        platforms: known,
        countries: countryOptions(page),
        overview,
        isAdmin: actor.role === 'admin',
        claims,
        notice:
          typeof done === 'string' && REGISTRY_NOTICES[done]
            ? page.t(REGISTRY_NOTICES[done])
            : undefined,
      },
      query.errors ? 400 : 200,
    );
  });

  async function channelPage(
    request: FastifyRequest<{ Params: { platform: string; channel: string } }>,
    reply: FastifyReply,
    extra: ChannelExtra = {},
    status = 200,
  ) {
    const { actor } = signedIn(request);
    const { platform, channel } = request.params;
    if (!CODE.test(platform) || !CODE.test(channel)) return errorPage(request, reply, 404);
    const found = await platforms.findWithChannel(platform, channel);
    if (!found) return errorPage(request, reply, 404);
    const asked = queryParams(request, ['version']).version;
    let shown: PlaybookResponseDto;
    try {
      shown =
        asked && /^\d{1,9}$/.test(asked)
          ? await playbooks.version(actor, platform, channel, Number(asked))
          : await playbooks.current(actor, platform, channel);
    } catch (error) {
      if (error instanceof DomainError && error.status === 404)
        return errorPage(request, reply, 404);
      throw error;
    }
    const current = asked ? await playbooks.current(actor, platform, channel) : shown;
    const [versions, open] = await Promise.all([
      playbooks.versions(actor, platform, channel),
      incidents.openOf(actor, [found.channel.id]),
    ]);
    const page = pageContext(request, 'ui.channel.title', {
      platform: found.platform.name,
      channel: found.channel.name,
    });
    const values =
      extra.values ??
      Object.fromEntries(PLAYBOOK_FIELDS.map((f) => [f, current[f] ?? ''] as const));
    const done = (request.query as Record<string, unknown>).done;
    return render(
      reply,
      'channel',
      {
        ...page,
        platform: found.platform,
        channel: found.channel,
        playbook: shown,
        current,
        versions: versions.data,
        incidents: open,
        fields: PLAYBOOK_FIELDS,
        values,
        errors: fieldErrors(page, extra.errors ?? [], values),
        conflict: extra.conflict ?? false,
        kinds: INCIDENT_KINDS,
        report: extra.report ?? {},
        reportErrors: fieldErrors(page, extra.reportErrors ?? [], extra.report ?? {}),
        notice: typeof done === 'string' && NOTICES[done] ? page.t(NOTICES[done]) : undefined,
      },
      status,
    );
  }

  web.get<{ Params: { platform: string; channel: string } }>(
    '/channels/:platform/:channel',
    (request, reply) => channelPage(request, reply),
  );

  web.post<{ Params: { platform: string; channel: string } }>(
    '/channels/:platform/:channel/playbook',
    async (request, reply) => {
      const { actor } = signedIn(request);
      const { platform, channel } = request.params;
      if (!CODE.test(platform) || !CODE.test(channel)) return errorPage(request, reply, 404);
      if (actor.role === 'viewer') return errorPage(request, reply, 403);
      const values = Object.fromEntries(
        PLAYBOOK_FIELDS.map((f) => [f, formString(request.body, f)?.trim() ?? ''] as const),
      );
      const changeNote = formString(request.body, 'changeNote')?.trim() ?? '';
      const version = formString(request.body, 'version') ?? '';
      const dto = validOrErrors(PutPlaybookDto, {
        ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')),
        ...(changeNote ? { changeNote } : {}),
      });
      if (!dto.value) return channelPage(request, reply, { values, errors: dto.errors }, 400);
      if (!/^\d{1,9}$/.test(version)) return errorPage(request, reply, 400);
      try {
        await playbooks.put(actor, platform, channel, dto.value, {
          versions: [Number(version)],
        });
      } catch (error) {
        if (error instanceof DomainError && error.status === 412)
          return channelPage(request, reply, { values, conflict: true }, 409);
        if (error instanceof DomainError && error.status === 404)
          return errorPage(request, reply, 404);
        throw error;
      }
      return seeOther(reply, `/web/channels/${platform}/${channel}?done=saved`);
    },
  );

  web.post<{ Params: { platform: string; channel: string } }>(
    '/channels/:platform/:channel/incidents',
    async (request, reply) => {
      const { actor } = signedIn(request);
      const { platform, channel } = request.params;
      if (!CODE.test(platform) || !CODE.test(channel)) return errorPage(request, reply, 404);
      if (actor.role === 'viewer') return errorPage(request, reply, 403);
      const report = {
        kind: formString(request.body, 'kind') ?? '',
        since: formString(request.body, 'since')?.trim() ?? '',
        description: formString(request.body, 'description')?.trim() ?? '',
      };
      const dto = validOrErrors(CreateIncidentDto, {
        platformCode: platform,
        channelCode: channel,
        ...report,
      });
      if (!dto.value) return channelPage(request, reply, { report, reportErrors: dto.errors }, 400);
      try {
        await incidents.report(actor, dto.value);
      } catch (error) {
        if (error instanceof DomainError && error.status === 400)
          return channelPage(request, reply, { report, reportErrors: error.errors ?? [] }, 400);
        throw error;
      }
      return seeOther(reply, `/web/channels/${platform}/${channel}?done=reported`);
    },
  );

  web.post<{ Params: { platform: string; channel: string; id: string } }>(
    '/channels/:platform/:channel/incidents/:id/confirm',
    async (request, reply) => {
      const { actor } = signedIn(request);
      const { platform, channel, id } = request.params;
      if (!CODE.test(platform) || !CODE.test(channel) || !isUUID(id))
        return errorPage(request, reply, 404);
      if (actor.role === 'viewer') return errorPage(request, reply, 403);
      try {
        await incidents.confirm(actor, id, {});
      } catch (error) {
        // Already confirmed (or reported) by the organisation, or resolved meanwhile: the page
        // shows the incident as it is.
        if (!(error instanceof DomainError && error.status === 409)) throw error;
      }
      return seeOther(reply, `/web/channels/${platform}/${channel}?done=confirmed`);
    },
  );

  /** An admin approves or refuses a claim (a refusal needs its reason). */
  web.post<{ Params: { id: string; decision: string } }>(
    '/registry/claims/:id/:decision',
    async (request, reply) => {
      const { actor } = signedIn(request);
      const { id, decision } = request.params;
      if (!isUUID(id) || !['approve', 'refuse'].includes(decision))
        return errorPage(request, reply, 404);
      if (actor.role !== 'admin') return errorPage(request, reply, 403);
      const reason = formString(request.body, 'reason')?.trim() ?? '';
      // The version the admin reviewed: a claim its organisation changed since is not decided.
      const version = formString(request.body, 'version') ?? '';
      if (!/^\d{1,9}$/.test(version)) return errorPage(request, reply, 400);
      const reviewed = parseIfMatch(`"${version}"`);
      try {
        if (decision === 'approve') {
          const dto = validOrErrors(ApproveChannelAccessDto, reason ? { reason } : {});
          if (!dto.value) return errorPage(request, reply, 400);
          await registry.approve(actor, id, dto.value, reviewed);
        } else {
          const dto = validOrErrors(ChannelAccessReasonDto, { reason });
          if (!dto.value) return errorPage(request, reply, 400);
          await registry.refuse(actor, id, dto.value, reviewed);
        }
      } catch (error) {
        // Decided meanwhile by another admin (409), or changed by its organisation since it was
        // read (412): the list shows what is left, as it is now.
        if (!(error instanceof DomainError && [409, 412].includes(error.status))) throw error;
        return seeOther(reply, '/web/registry?done=changed');
      }
      return seeOther(
        reply,
        `/web/registry?done=${decision === 'approve' ? 'approved' : 'refused'}`,
      );
    },
  );
}
