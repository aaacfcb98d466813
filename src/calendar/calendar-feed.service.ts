import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hashApiToken } from '../auth/api-tokens.service';
import { Clock } from '../common/clock';
import { MeetingRow } from '../community/meetings.repository';
import { MeetingsService } from '../community/meetings.service';
import { NotFoundError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { CalendarFeedRepository, FeedEntry } from './calendar-feed.repository';
import { CALENDAR_TOKEN } from './calendar-tokens.service';
import { CalendarTokensRepository } from './calendar-tokens.repository';
import { IcsEvent, serializeCalendar } from './ical';

/** Events a feed holds at most, earliest first; the audit entry says when some were left out. */
export const MAX_FEED_EVENTS = 2000;
const EVENT_MINUTES = 30;
const UID_DOMAIN = 'escalation-tracker';

@Injectable()
export class CalendarFeedService {
  constructor(
    private readonly tokens: CalendarTokensRepository,
    private readonly feed: CalendarFeedRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly meetings: MeetingsService,
  ) {}

  /**
   * The iCalendar text of the feed behind a token: the deadlines and follow-ups of the open
   * cases its user may see now. Unknown, malformed and revoked tokens and inactive users all
   * answer the same 404.
   */
  async render(token: string): Promise<string> {
    const owner = CALENDAR_TOKEN.test(token)
      ? await this.tokens.findOwner(hashApiToken(token))
      : null;
    if (!owner) throw new NotFoundError('calendar');
    const entries = await this.feed.entries(owner, MAX_FEED_EVENTS + 1);
    const shown = entries.slice(0, MAX_FEED_EVENTS);
    const meetings = await this.meetings.forFeed(owner.userId);
    await this.audit.record({
      action: 'calendar.read',
      actorUserId: owner.userId,
      organizationId: owner.organizationId,
      targetType: 'calendar_token',
      targetId: owner.tokenId,
      details: {
        events: shown.length,
        meetings: meetings.length,
        truncated: entries.length > MAX_FEED_EVENTS,
      },
    });
    await this.tokens.touch(owner.tokenId);
    const now = this.clock.now();
    return serializeCalendar({
      productId: '-//Feminist helplines//Escalation Tracker//EN',
      name: 'Escalation deadlines',
      timeZone: owner.timezone,
      refreshMinutes: 60,
      events: [
        ...shown.map((entry) => this.toEvent(entry, now)),
        ...meetings.map((row) => this.toMeetingEvent(row, now)),
      ],
    });
  }

  /**
   * A community meeting: start and end in UTC (no VTIMEZONE needed; clients show them in the
   * reader's zone, whatever daylight saving does), a UID stable across moves, the SEQUENCE the
   * meeting's changes raised, and STATUS:CANCELLED once cancelled. The agenda stays on the
   * meeting's page: a calendar provider is a third party.
   */
  private toMeetingEvent(row: MeetingRow, now: Date): IcsEvent {
    const m = row.meeting;
    const page = `${this.config.publicBaseUrl}/web/meetings#meeting-${m.id}`;
    return {
      uid: `meeting-${m.id}@${UID_DOMAIN}`,
      stamp: now,
      start: m.startsAt,
      end: m.endsAt,
      summary: m.title,
      description: [
        `For: ${row.workingGroupName ?? 'the whole community'}`,
        ...(m.languages.length ? [`Languages: ${m.languages.join(', ')}`] : []),
        ...(m.interpretation.length ? [`Interpretation: ${m.interpretation.join(', ')}`] : []),
        ...(m.link ? [`Join: ${m.link}`] : []),
        `Agenda and answer: ${page}`,
      ].join('\n'),
      url: page,
      ...(m.link ? { location: m.link } : {}),
      sequence: m.sequence,
      lastModified: m.updatedAt,
      status: m.cancelledAt ? 'CANCELLED' : 'CONFIRMED',
      busy: true,
    };
  }

  /** Reference, platform, channel and due state only: never a title, summary or anything else. */
  private toEvent(entry: FeedEntry, now: Date): IcsEvent {
    const overdue = entry.dueAt.getTime() < now.getTime();
    // People open the feed's events: the link goes to the case page, not to the JSON API.
    const link = `${this.config.publicBaseUrl}/web/cases/${entry.caseId}`;
    const label = entry.kind === 'follow_up' ? 'Follow up' : overdue ? 'Overdue' : 'Due';
    const due = `${entry.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const state = overdue ? `overdue since ${due}` : `answer due by ${due}`;
    return {
      uid: `${entry.caseId}-${entry.kind === 'due' ? 'due' : 'follow-up'}@${UID_DOMAIN}`,
      stamp: now,
      start: entry.at,
      durationMinutes: EVENT_MINUTES,
      summary: `${label}: ${entry.reference} (${entry.platformCode})`,
      description: [
        `Case: ${entry.reference}`,
        `Platform: ${entry.platformCode}`,
        `Channel: ${entry.channelCode}`,
        `State: ${state}`,
        link,
      ].join('\n'),
      url: link,
      // A deadline moves only through a case change, which raises the version. A follow-up
      // moves when a reminder goes out, which does not: its events carry no SEQUENCE.
      ...(entry.kind === 'due' ? { sequence: entry.version } : {}),
    };
  }
}
