import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AnswerMeetingDto,
  MeetingQueryDto,
  MeetingResponseDto,
} from '../../community/dto/meeting.dto';
import { RSVP_ANSWERS } from '../../community/meeting.entity';
import { DomainError } from '../../common/errors/domain-error';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { assertValid } from '../../common/validation/validation.pipe';
import type { WebDeps } from '../web';
import { errorPage, formString, pageContext, render, seeOther, signedIn } from '../web-context';
import { languageName } from './directory.pages';
import { validOrErrors } from './page-query';

const DAY_MS = 86_400_000;

/** The time of day of an instant in the reader's zone and language, e.g. "11:30". */
function timeOfDay(lang: string, timeZone: string, iso: string): string {
  try {
    return new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date(iso),
    );
  }
}

/**
 * Working groups (their names to all, their members to their members) and community
 * meetings: the ones the reader is invited to (the whole community's and their
 * working groups'), each in the reader's own time zone (their settings), with their answer
 * (yes, no, maybe) posted from the page. The services are the API's, with the reader's Actor.
 */
export function registerCommunityPages(web: FastifyInstance, { services }: WebDeps): void {
  const { meetings, workingGroups, clock } = services;

  web.get('/working-groups', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.groups.title');
    const groups = await workingGroups.list(actor, assertValid(ListQueryDto, { limit: 200 }));
    return render(reply, 'working-groups', {
      ...page,
      groups: groups.data,
      isAdmin: actor.role === 'admin',
    });
  });

  /** A group's members: its members and the admins only; anyone else gets the 404 page. */
  web.get<{ Params: { id: string } }>('/working-groups/:id', async (request, reply) => {
    const { actor } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const [group, members] = await Promise.all([
      workingGroups.get(actor, id),
      workingGroups.members(actor, id),
    ]);
    const page = pageContext(request, 'ui.groups.members.title', { name: group.name });
    return render(reply, 'working-group', { ...page, group, members: members.data });
  });

  async function meetingsPage(request: FastifyRequest, reply: FastifyReply, status = 200) {
    const { actor, user } = signedIn(request);
    const page = pageContext(request, 'ui.meetings.title');
    const from = new Date(clock.now().getTime() - DAY_MS).toISOString();
    const query = validOrErrors(MeetingQueryDto, { from, limit: 200 });
    const found = query.value ? await meetings.list(actor, query.value) : { data: [] };
    const done = (request.query as Record<string, unknown>).done;
    return render(
      reply,
      'meetings',
      {
        ...page,
        timeZone: user.timezone,
        meetings: found.data,
        answers: RSVP_ANSWERS,
        languageName: (tag: string) => languageName(page.lang, tag),
        endTime: (m: MeetingResponseDto) => timeOfDay(page.lang, user.timezone, m.endsAt),
        notice: done === 'answered' ? page.t('ui.meetings.answered') : undefined,
      },
      status,
    );
  }

  web.get('/meetings', (request, reply) => meetingsPage(request, reply));

  web.post<{ Params: { id: string } }>('/meetings/:id/answer', async (request, reply) => {
    const { actor } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const dto = validOrErrors(AnswerMeetingDto, { answer: formString(request.body, 'answer') });
    if (!dto.value) return errorPage(request, reply, 400);
    try {
      await meetings.answer(actor, id, dto.value);
    } catch (error) {
      // Not invited (404) or cancelled meanwhile (409): the list shows what is true now.
      if (error instanceof DomainError && error.status === 409) {
        return meetingsPage(request, reply, 409);
      }
      throw error;
    }
    return seeOther(reply, `/web/meetings?done=answered#meeting-${id}`);
  });
}
