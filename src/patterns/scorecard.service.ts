import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ChannelIncidentsService } from '../channels/channel-incidents.service';
import { ContactsService } from '../contacts/contacts.service';
import { ScorecardResponseDto, ScorecardRowDto } from './dto/scorecard.dto';

/** A row's figures from the cases; the incidents are added beside them. */
type CaseFigures = Omit<ScorecardRowDto, 'incidents'>;
import { cellOf, complementOf, isSafe, perturbed, protectCount, protectShare } from './disclosure';
import { bucketValue, quantile } from './duration-histogram';
import { Lang } from '../i18n/labels';
import { ReportFile, scorecardFile } from './pattern-csv';
import { monthPeriod } from './pattern-period';
import { PatternsRepository, ScorecardOrganizationRow } from './patterns.repository';
import {
  DURATION_MEASURES,
  DurationMeasure,
  QUALITY_FIELDS,
  ScorecardMeasure,
} from './scorecard-measures';

const HOUR = 3600;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Each share of the scorecard: numerator and denominator measures. */
const SHARES = [
  ['acknowledgedShare', 'acknowledged', 'cases'],
  ['actionedShare', 'actioned', 'cases'],
  ['noResponseShare', 'no_response', 'cases'],
  ['overdueShare', 'overdue', 'cases'],
  ...QUALITY_FIELDS.map(
    ([field, column]) => [`${field}Share`, `${column}_yes`, `${column}_answered`] as const,
  ),
] as const;
type ShareField = (typeof SHARES)[number][0];

/**
 * How each platform and channel answered the shared repository's cases over a period: shares,
 * response-time percentiles (from the duration histograms, within 5 %), time paused on requests
 * for information, the response-quality answers, and contact departures.
 *
 * Every figure is protected (`disclosure.ts`): the row's case count is a cell like a trend cell;
 * a share is computed from perturbed counts and shown only when its numerator, its denominator
 * and its complement are safe cells; a percentile is read from a histogram whose every bucket is
 * perturbed, and shown only when the cases behind it are a safe cell.
 */
@Injectable()
export class ScorecardService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly contacts: ContactsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly incidents: ChannelIncidentsService,
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
    const [counts, buckets, departures, incidents] = await Promise.all([
      this.patterns.scorecardCounts(period.from, period.to),
      this.patterns.durationBuckets(period.from, period.to),
      this.contacts.departuresByPlatform(actor, period.from, lastDay.toISOString().slice(0, 10)),
      this.incidents.overlapping(period.from, lastDay.toISOString().slice(0, 10)),
    ]);
    const incidentsOf = new Map(
      incidents.map((i) => [
        `${i.platformCode}\u0000${i.channelCode}`,
        { open: i.open, overlapping: i.overlapping },
      ]),
    );
    const histograms = new Map<string, Map<number, number>>();
    for (const b of buckets) {
      const key = `${b.platform}\u0000${b.channel}\u0000${b.measure}`;
      const h = histograms.get(key) ?? new Map<number, number>();
      // Each bucket's count is a cell: the percentile is read from perturbed counts only.
      h.set(b.bucket, perturbed(b));
      histograms.set(key, h);
    }
    const channels = new Map<string, ScorecardOrganizationRow[]>();
    for (const row of counts) {
      const key = `${row.platform}\u0000${row.channel}`;
      const rows = channels.get(key) ?? [];
      rows.push(row);
      channels.set(key, rows);
    }
    const data = [...channels.values()].map((rows) => ({
      ...this.row(rows, k, (measure) =>
        histograms.get(`${rows[0].platform}\u0000${rows[0].channel}\u0000${measure}`),
      ),
      incidents: incidentsOf.get(`${rows[0].platform}\u0000${rows[0].channel}`) ?? {
        open: 0,
        overlapping: 0,
      },
    }));
    const platforms = [...new Set([...data.map((c) => c.platform), ...departures.keys()])]
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

  /**
   * The scorecard as a file (`format` csv or json, audited as an export); the CSV carries each
   * platform's name beside its code.
   */
  async file(
    actor: Actor,
    query: { from?: string; to?: string },
    format: 'csv' | 'json',
    lang: Lang,
  ): Promise<ReportFile> {
    const answer = await this.scorecard(actor, query, format);
    const names =
      format === 'csv'
        ? await this.patterns.platformNames(answer.platforms.map((p) => p.platform))
        : undefined;
    return scorecardFile(answer, format, lang, names);
  }

  /** One platform and channel from its organisations' counts. */
  private row(
    rows: ScorecardOrganizationRow[],
    k: number,
    histogram: (measure: DurationMeasure) => Map<number, number> | undefined,
  ): CaseFigures {
    const { platform, channel, channelKind } = rows[0];
    const cell = (measure: ScorecardMeasure) => cellOf(rows.map((r) => r.counts[measure]));
    const cases = cell('cases');
    const shown = protectCount(cases, k);
    if (shown.suppressed) return suppressedRow(platform, channel, channelKind);
    const share = (numerator: ScorecardMeasure, denominator: ScorecardMeasure) =>
      protectShare(
        cell(numerator),
        complementOf(
          rows.map((r) => ({ whole: r.counts[denominator], part: r.counts[numerator] })),
        ),
        cell(denominator),
        k,
      );
    /** A percentile of a duration, when the cases that have one are a safe cell. */
    const hours = (measure: DurationMeasure, q: number) => {
      const h = histogram(measure);
      if (!h || !isSafe(cell(countedBy(measure)), k)) return null;
      const value = quantile(h, q);
      return value === null ? null : round(value / HOUR, 1);
    };
    /** Mean paused hours per case: paused time from the perturbed histogram, per perturbed case. */
    const pausedHours = () => {
      const h = histogram('paused');
      if (!h || !isSafe(cell('paused'), k)) return null;
      let seconds = 0;
      for (const [bucket, n] of h) seconds += n * bucketValue(bucket);
      return round(seconds / shown.count! / HOUR, 1);
    };
    return {
      platform,
      channel,
      channelKind,
      cases: shown.count,
      organizations: shown.organizations,
      suppressed: false,
      medianFirstResponseHours: hours('first_response', 0.5),
      p90FirstResponseHours: hours('first_response', 0.9),
      medianResolutionHours: hours('resolution', 0.5),
      p90ResolutionHours: hours('resolution', 0.9),
      pausedHours: pausedHours(),
      ...(Object.fromEntries(SHARES.map(([field, n, d]) => [field, share(n, d)])) as Record<
        ShareField,
        number | null
      >),
    };
  }
}

function countedBy(measure: DurationMeasure): ScorecardMeasure {
  return DURATION_MEASURES.find((m) => m.measure === measure)!.countedBy;
}

function suppressedRow(platform: string, channel: string, channelKind: string): CaseFigures {
  return {
    platform,
    channel,
    channelKind,
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
