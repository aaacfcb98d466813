import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import taxonomy from '../../cases/data/taxonomy.json';
import { Actor } from '../../common/auth/actor';
import { Clock } from '../../common/clock';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { Lang, pickLang } from '../../i18n/labels';
import {
  AnnualReportRepository,
  FigureRow,
  GroupedRow,
  QualityRow,
} from './annual-report.repository';
import {
  ActionFiguresDto,
  AnnualReportFormat,
  AnnualReportQueryDto,
  AnnualReportResponseDto,
  ContentTypeFiguresDto,
  MonthFiguresDto,
  PlatformFiguresDto,
  QUALITY_QUESTIONS,
  REPORT_ACTIONS,
  ReportAction,
  ReportFiguresDto,
} from './dto/annual-report.dto';

const HOUR = 3600;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Each taxonomy category's EU DSA statement-of-reasons category (taxonomy.json). */
const DSA_CATEGORY = new Map<string, string>(
  taxonomy.categories.map((c) => [c.code, c.dsa_category]),
);
const CATEGORY_ORDER = new Map(taxonomy.categories.map((c, i) => [c.code, i]));
const ACTION_ORDER = new Map<string, number>(REPORT_ACTIONS.map((a, i) => [a, i]));

export interface AnnualReport {
  body: AnnualReportResponseDto;
  /** The caller's language for CSV labels when `lang` is not given. */
  lang: Lang;
}

/** Shares of the escalations (null when there are none) and times in hours. */
export function toFigures(r: FigureRow): ReportFiguresDto {
  const share = (n: number) => (r.escalations > 0 ? round(n / r.escalations, 3) : null);
  const hours = (seconds: number | null) => (seconds === null ? null : round(seconds / HOUR, 1));
  return {
    escalations: r.escalations,
    responded: r.responded,
    resolved: r.resolved,
    actionedShare: share(r.actioned),
    noResponseShare: share(r.noResponse),
    overdueShare: share(r.overdue),
    medianFirstResponseHours: hours(r.firstResponseP50),
    p90FirstResponseHours: hours(r.firstResponseP90),
    medianResolutionHours: hours(r.resolutionP50),
    p90ResolutionHours: hours(r.resolutionP90),
  };
}

const EMPTY: FigureRow = {
  escalations: 0,
  responded: 0,
  resolved: 0,
  actioned: 0,
  noResponse: 0,
  overdue: 0,
  firstResponseP50: null,
  firstResponseP90: null,
  resolutionP50: null,
  resolutionP90: null,
};

/**
 * The yearly transparency report of the caller's organisation (EU DSA Art. 22(3) form): cases
 * escalated in the calendar year (UTC), only those the caller may see. Every request is an
 * export and is audited, JSON as well as CSV.
 */
@Injectable()
export class AnnualReportService {
  constructor(
    private readonly reports: AnnualReportRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async report(
    actor: Actor,
    query: AnnualReportQueryDto,
    acceptLanguage?: string,
  ): Promise<AnnualReport> {
    const now = this.clock.now();
    const latest = now.getUTCFullYear() + 1;
    if (query.year > latest) {
      throw new ValidationFailedError([
        { field: 'year', message: `year must not be greater than ${latest}` },
      ]);
    }
    const from = new Date(Date.UTC(query.year, 0, 1));
    const to = new Date(Date.UTC(query.year + 1, 0, 1));
    const [heading, rows, quality] = await Promise.all([
      this.reports.heading(actor),
      this.reports.figures(actor, from, to, now),
      this.reports.quality(actor, from, to),
    ]);
    await this.record(actor, query.year, query.format);
    return {
      body: {
        organization: { slug: heading.slug, name: heading.name },
        year: query.year,
        from: from.toISOString(),
        to: to.toISOString(),
        generatedAt: now.toISOString(),
        ...sections(query.year, rows),
        ...qualitySections(quality),
      },
      lang: pickLang(query.lang, heading.language, acceptLanguage),
    };
  }

  private record(actor: Actor, year: number, format: AnnualReportFormat): Promise<void> {
    return this.audit.record({
      action: 'report.exported',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      targetType: 'organization',
      targetId: actor.organizationId,
      details: { kind: 'annual', year, format },
    });
  }
}

/** The query's rows as the answer's sections, in a stable order; all twelve months. */
function sections(
  year: number,
  rows: GroupedRow[],
): Pick<
  AnnualReportResponseDto,
  'totals' | 'byPlatform' | 'byContentType' | 'byAction' | 'byMonth'
> {
  let totals = EMPTY;
  const byPlatform: PlatformFiguresDto[] = [];
  const byContentType: ContentTypeFiguresDto[] = [];
  const byAction: ActionFiguresDto[] = [];
  const months = new Map<string, FigureRow>();
  for (const row of rows) {
    switch (row.section) {
      case 'totals':
        totals = row;
        break;
      case 'platform':
        byPlatform.push({
          platform: row.platform,
          platformName: row.platformName,
          ...toFigures(row),
        });
        break;
      case 'category':
        byContentType.push({
          category: row.category,
          dsaCategory: DSA_CATEGORY.get(row.category) ?? null,
          ...toFigures(row),
        });
        break;
      case 'action':
        byAction.push({ outcome: row.action as ReportAction, ...toFigures(row) });
        break;
      case 'month':
        months.set(row.month, row);
        break;
    }
  }
  byPlatform.sort((a, b) => b.escalations - a.escalations || a.platform.localeCompare(b.platform));
  byContentType.sort(
    (a, b) =>
      (CATEGORY_ORDER.get(a.category) ?? Infinity) - (CATEGORY_ORDER.get(b.category) ?? Infinity),
  );
  byAction.sort((a, b) => ACTION_ORDER.get(a.outcome)! - ACTION_ORDER.get(b.outcome)!);
  const byMonth: MonthFiguresDto[] = Array.from({ length: 12 }, (_, i) => {
    const month = `${year}-${String(i + 1).padStart(2, '0')}`;
    return { month, ...toFigures(months.get(month) ?? EMPTY) };
  });
  return { totals: toFigures(totals), byPlatform, byContentType, byAction, byMonth };
}

/** The answers per question (a share of yes among yes and no) and the statements of reasons. */
export function qualitySections(
  q: QualityRow,
): Pick<AnnualReportResponseDto, 'responseQuality' | 'statementsOfReasons'> {
  const share = (n: number, of: number) => (of > 0 ? round(n / of, 3) : null);
  return {
    responseQuality: QUALITY_QUESTIONS.map((question) => {
      const a = q.answers[question];
      return { question, ...a, yesShare: share(a.yes, a.yes + a.no) };
    }),
    statementsOfReasons: {
      decisions: q.decisions,
      received: q.sorReceived,
      notReceived: q.sorNotReceived,
      notRecorded: q.decisions - q.sorReceived - q.sorNotReceived,
      receivedShare: share(q.sorReceived, q.decisions),
    },
  };
}
