import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hashApiToken } from '../auth/api-tokens.service';
import { Clock } from '../common/clock';
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
    await this.audit.record({
      action: 'calendar.read',
      actorUserId: owner.userId,
      organizationId: owner.organizationId,
      targetType: 'calendar_token',
      targetId: owner.tokenId,
      details: { events: shown.length, truncated: entries.length > MAX_FEED_EVENTS },
    });
    await this.tokens.touch(owner.tokenId);
    const now = this.clock.now();
    return serializeCalendar({
      productId: '-//Feminist helplines//Escalation Tracker//EN',
      name: 'Escalation deadlines',
      timeZone: owner.timezone,
      refreshMinutes: 60,
      events: shown.map((entry) => this.toEvent(entry, now)),
    });
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
