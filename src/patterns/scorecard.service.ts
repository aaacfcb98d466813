import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { ScorecardResponseDto, ScorecardRowDto } from './dto/scorecard.dto';
import { quantile } from './duration-histogram';
import { monthPeriod } from './pattern-period';
import { PatternsRepository, QUALITY_FIELDS, ScorecardCellRow } from './patterns.repository';
import { suppressedCells } from './suppression';

const HOUR = 3600;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * How each platform and channel answered the shared repository's cases over a period: shares,
 * response-time percentiles (from the duration histograms, within 5 %), time paused on requests
 * for information, the response-quality answers, and contact departures. A row is suppressed
 * like a trend cell; a share or percentile from fewer than k values is null.
 */
@Injectable()
export class ScorecardService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly contacts: ContactsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async scorecard(
    actor: Actor,
    query: { from?: string; to?: string },
    format = 'json',
  ): Promise<ScorecardResponseDto> {
    const k = this.config.patterns.kAnonymity;
    const period = monthPeriod(this.clock.now(), query.from, query.to);
    const lastDay = new Date(
      Date.UTC(Number(period.toMonth.slice(0, 4)), Number(period.toMonth.slice(5, 7)), 0),
    );
    const [cells, buckets, departures] = await Promise.all([
      this.patterns.scorecardCells(period.from, period.to),
      this.patterns.durationBuckets(period.from, period.to),
      this.contacts.departuresByPlatform(actor, period.from, lastDay.toISOString().slice(0, 10)),
    ]);
    const histograms = new Map<string, Map<number, number>>();
    for (const b of buckets) {
      const key = `${b.platform}\u0000${b.channel}\u0000${b.measure}`;
      const h = histograms.get(key) ?? new Map<number, number>();
      h.set(b.bucket, b.cases);
      histograms.set(key, h);
    }
    const hidden = suppressedCells(
      cells.map((c) => ({
        key: [c.platform, c.channel],
        count: c.cases,
        organizations: c.organizations,
      })),
      k,
    );
    const data = cells.map((c, i) =>
      hidden[i]
        ? suppressedRow(c)
        : this.row(c, k, (measure) =>
            histograms.get(`${c.platform}\u0000${c.channel}\u0000${measure}`),
          ),
    );
    const platforms = [...new Set([...cells.map((c) => c.platform), ...departures.keys()])]
      .sort()
      .map((platform) => ({ platform, contactDepartures: departures.get(platform) ?? 0 }));
    await this.audit.record({
      action: format === 'json' ? 'patterns.read' : 'report.exported',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      details: { kind: 'scorecard', format, from: period.fromMonth, to: period.toMonth },
    });
    return { from: period.fromMonth, to: period.toMonth, k, data, platforms };
  }

  private row(
    c: ScorecardCellRow,
    k: number,
    histogram: (measure: string) => Map<number, number> | undefined,
  ): ScorecardRowDto {
    const share = (n: number, of: number) => (of >= k ? round(n / of, 3) : null);
    const hours = (measure: string, q: number) => {
      const h = histogram(measure);
      if (!h) return null;
      let n = 0;
      for (const v of h.values()) n += v;
      const value = n >= k ? quantile(h, q) : null;
      return value === null ? null : round(value / HOUR, 1);
    };
    return {
      platform: c.platform,
      channel: c.channel,
      channelKind: c.channelKind,
      cases: c.cases,
      organizations: c.organizations,
      suppressed: false,
      acknowledgedShare: share(c.acknowledged, c.cases),
      medianFirstResponseHours: hours('first_response', 0.5),
      p90FirstResponseHours: hours('first_response', 0.9),
      medianResolutionHours: hours('resolution', 0.5),
      p90ResolutionHours: hours('resolution', 0.9),
      actionedShare: share(c.actioned, c.cases),
      noResponseShare: share(c.noResponse, c.cases),
      overdueShare: share(c.overdue, c.cases),
      pausedHours: round(c.pausedSeconds / c.cases / HOUR, 1),
      ...(Object.fromEntries(
        QUALITY_FIELDS.map(([f]) => [`${f}Share`, share(c[`${f}Yes`], c[`${f}Answered`])]),
      ) as Pick<
        ScorecardRowDto,
        | 'reasonGivenShare'
        | 'contextUnderstoodShare'
        | 'harmRecognisedAsGenderedShare'
        | 'retraumatisingProofRequestedShare'
      >),
    };
  }
}

function suppressedRow(c: ScorecardCellRow): ScorecardRowDto {
  return {
    platform: c.platform,
    channel: c.channel,
    channelKind: c.channelKind,
    cases: null,
    organizations: null,
    suppressed: true,
    acknowledgedShare: null,
    medianFirstResponseHours: null,
    p90FirstResponseHours: null,
    medianResolutionHours: null,
    p90ResolutionHours: null,
    actionedShare: null,
    noResponseShare: null,
    overdueShare: null,
    pausedHours: null,
    reasonGivenShare: null,
    contextUnderstoodShare: null,
    harmRecognisedAsGenderedShare: null,
    retraumatisingProofRequestedShare: null,
  };
}
