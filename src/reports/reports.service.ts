import type { EntityManager } from 'typeorm';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Queue } from 'bullmq';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import {
  ConflictError,
  FieldError,
  NotFoundError,
  TooManyRequestsError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { flattenValidationErrors } from '../common/validation/validation.pipe';
import { AppConfig } from '../config/app-config';
import { isLang, Lang, pickLang } from '../i18n/labels';
import { ScorecardQueryDto } from '../patterns/dto/scorecard.dto';
import { TrendsExportQueryDto } from '../patterns/dto/trends.dto';
import { monthPeriod } from '../patterns/pattern-period';
import { PatternsService } from '../patterns/patterns.service';
import { ScorecardService } from '../patterns/scorecard.service';
import { withTimeout } from '../queue/repeatable';
import { JobName, QueueName } from '../queue/queues';
import { UsersService } from '../users/users.service';
import {
  CreateReportDto,
  REPORT_KINDS,
  ReportFormat,
  ReportKind,
  ReportResponseDto,
} from './dto/report.dto';
import { ReportFile, trendsFile } from '../patterns/pattern-csv';
import { ReportEntity } from './report.entity';
import { ReportsRepository } from './reports.repository';

/** What a failed report says: fixed wordings, never an exception's text (it could quote data). */
export const REPORT_ERRORS = {
  failed: 'The report could not be built; ask for it again.',
  requesterInactive: 'The account that asked for this report is no longer active.',
  invalidParams: 'The question of this report is no longer valid; ask for it again.',
} as const;

/** Open (unexpired) reports per user, and how many of them may be waiting to be built. */
export const MAX_OPEN_REPORTS = 50;
export const MAX_PENDING_REPORTS = 5;
/** A report still pending this long after it was asked for gets its job queued again. */
const REQUEUE_AFTER_MS = 60_000;

const QUERY_CLASSES = { trends: TrendsExportQueryDto, scorecard: ScorecardQueryDto } as const;
type ReportQuery = TrendsExportQueryDto | ScorecardQueryDto;

export type BuildOutcome = 'done' | 'failed' | 'gone' | 'finished';

export const reportJobId = (reportId: string) => `report-build-${reportId}`;

/**
 * A report kind built by a feature above reports (an organisation's archive, its erasure): it
 * registers its builder at start-up, creates its reports through `createFor`, and the same job,
 * progress, download and expiry serve it. `progress` takes 0-100.
 */
export type ReportBuilder = (
  report: { id: string; format: string; params: Record<string, unknown> },
  actor: Actor,
  progress: (percent: number) => Promise<void>,
) => Promise<ReportFile>;

/**
 * Report files: the trends export served at once, and large exports built by a job as the user
 * who asked, readable by that user alone (any other caller, even an admin, gets 404) until
 * they expire REPORT_TTL_HOURS after they were asked for.
 */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);
  private readonly builders = new Map<string, ReportBuilder>();

  constructor(
    private readonly reports: ReportsRepository,
    private readonly patterns: PatternsService,
    private readonly scorecards: ScorecardService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Reports) private readonly queue: Queue,
  ) {}

  /** `GET /v1/reports/trends`: the trends answer as a file. */
  async trendsExport(actor: Actor, query: TrendsExportQueryDto, lang: Lang): Promise<ReportFile> {
    const answer = await this.patterns.computeTrends(query);
    await this.audit.record({
      action: 'report.exported',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      details: { kind: 'trends', format: query.format, groupBy: query.groupBy },
    });
    return trendsFile(answer, query.format, lang);
  }

  /** `POST /v1/reports`: validates the question now, stores it, queues the build. */
  async create(
    actor: Actor,
    dto: CreateReportDto,
    acceptLanguage?: string,
  ): Promise<ReportResponseDto> {
    const now = this.clock.now();
    const query = await validQuery(dto.kind, dto.params ?? {}, 'params', true);
    let period;
    try {
      period = monthPeriod(now, query.from, query.to);
    } catch (error) {
      throw prefixed(error, 'params');
    }
    const lang = pickLang(dto.lang, undefined, acceptLanguage);
    const { open, pending } = await this.reports.countOpen(actor.userId, now);
    if (pending >= MAX_PENDING_REPORTS || open >= MAX_OPEN_REPORTS) {
      throw new TooManyRequestsError(
        60,
        pending >= MAX_PENDING_REPORTS
          ? `You already have ${MAX_PENDING_REPORTS} reports being built; wait for one to finish.`
          : `You already have ${MAX_OPEN_REPORTS} reports; wait for some to expire.`,
      );
    }
    const report = await this.reports.insert({
      organizationId: actor.organizationId,
      requestedBy: actor.userId,
      kind: dto.kind,
      format: dto.format,
      // The period fixed now: the report answers the question as it was asked.
      params: { ...storedParams(query), from: period.fromMonth, to: period.toMonth, lang },
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.patterns.reportTtlHours * 3_600_000),
    });
    await this.enqueue(report.id);
    return toReportResponse(report);
  }

  /** Drops an organisation's reports of a feature's kind (copies of what was erased). */
  discardOfKind(organizationId: string, kind: string, em: EntityManager): Promise<number> {
    return this.reports.deleteOfKind(organizationId, kind, em);
  }

  /** A feature's own report kind (never one of REPORT_KINDS): its builder runs in the job. */
  registerBuilder(kind: string, builder: ReportBuilder): void {
    if ((REPORT_KINDS as readonly string[]).includes(kind) || this.builders.has(kind)) {
      throw new Error(`report kind ${kind} is taken`);
    }
    this.builders.set(kind, builder);
  }

  /**
   * A report of a registered kind, asked by `actor` (who alone reads it), with the feature's own
   * validated parameters; the same limits as `POST /v1/reports`.
   */
  async createFor(
    actor: Actor,
    kind: string,
    format: ReportFormat,
    params: Record<string, unknown>,
  ): Promise<ReportResponseDto> {
    if (!this.builders.has(kind)) throw new Error(`no builder for report kind ${kind}`);
    const now = this.clock.now();
    const { open, pending } = await this.reports.countOpen(actor.userId, now);
    if (pending >= MAX_PENDING_REPORTS || open >= MAX_OPEN_REPORTS) {
      throw new TooManyRequestsError(60, 'You have too many reports; wait for some to finish.');
    }
    const report = await this.reports.insert({
      organizationId: actor.organizationId,
      requestedBy: actor.userId,
      kind,
      format,
      params,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.patterns.reportTtlHours * 3_600_000),
    });
    await this.enqueue(report.id);
    return toReportResponse(report);
  }

  async get(actor: Actor, id: string): Promise<ReportResponseDto> {
    const report = await this.reports.findOwn(actor.userId, id, this.clock.now());
    if (!report) throw new NotFoundError('report');
    return toReportResponse(report);
  }

  /** The file of a finished report (409 while it is not; 404 for anyone but its requester). */
  async download(actor: Actor, id: string): Promise<ReportFile> {
    const report = await this.reports.findOwnWithContent(actor.userId, id, this.clock.now());
    if (!report) throw new NotFoundError('report');
    if (report.status !== 'done' || !report.content || !report.contentType || !report.filename) {
      throw new ConflictError(
        report.status === 'failed'
          ? 'The report failed; ask for it again.'
          : 'The report is not ready yet; try again when its status is done.',
      );
    }
    await this.audit.record({
      action: 'report.exported',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      targetType: 'report',
      targetId: report.id,
      details: { kind: report.kind, format: report.format, reportId: report.id },
    });
    return { content: report.content, contentType: report.contentType, filename: report.filename };
  }

  /**
   * The job: the same computation as the GET route, as the requester, who must still be an
   * active user when the build starts and when it is stored (else the report fails, with no
   * data). A thrown error is retried by the queue; `failBuild` ends it on the last attempt.
   */
  async build(reportId: string): Promise<BuildOutcome> {
    const report = await this.reports.findForBuild(reportId);
    if (!report || report.expiresAt <= this.clock.now()) return 'gone';
    if (report.status === 'done' || report.status === 'failed') return 'finished';
    if (!(await this.reports.markRunning(report.id, 10))) return 'finished';
    const actor = await this.actorOf(report.requestedBy);
    if (!actor) return this.fail(report.id, REPORT_ERRORS.requesterInactive);
    const registered = this.builders.get(report.kind);
    if (registered) {
      const file = await registered(
        { id: report.id, format: report.format, params: report.params },
        actor,
        (percent) => this.reports.setProgress(report.id, Math.max(10, Math.min(95, percent))),
      );
      // The builder may have ended the report itself (an erasure takes its organisation's rows).
      return (await this.reports.markDone(report.id, file, this.clock.now())) ? 'done' : 'finished';
    }
    const kind = report.kind as ReportKind;
    const format = report.format;
    const lang: Lang = isLang(report.params.lang) ? report.params.lang : 'en';
    let query: ReportQuery;
    try {
      if (!REPORT_KINDS.includes(kind) || (format !== 'csv' && format !== 'json')) {
        throw new ValidationFailedError([{ field: 'kind', message: 'unknown kind or format' }]);
      }
      query = await validQuery(kind, report.params, 'params', false);
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        return this.fail(report.id, REPORT_ERRORS.invalidParams);
      }
      throw error;
    }
    await this.reports.setProgress(report.id, 30);
    const file =
      kind === 'trends'
        ? trendsFile(await this.patterns.computeTrends(query as TrendsExportQueryDto), format, lang)
        : await this.scorecards.file(actor, query, format, lang);
    await this.reports.setProgress(report.id, 80);
    // Deactivated while it was computed: no data for them.
    if (!(await this.actorOf(report.requestedBy))) {
      return this.fail(report.id, REPORT_ERRORS.requesterInactive);
    }
    return (await this.reports.markDone(report.id, file, this.clock.now())) ? 'done' : 'finished';
  }

  /** The last attempt of a build failed: the report says so, in the fixed wording. */
  async failBuild(reportId: string): Promise<void> {
    await this.reports.markFailed(reportId, REPORT_ERRORS.failed, this.clock.now());
  }

  /** Repeatable: deletes expired reports, queues again the builds Redis may have lost. */
  async cleanup(): Promise<{ deleted: number; requeued: number }> {
    const now = this.clock.now();
    const deleted = await this.reports.deleteExpired(now);
    const pending = await this.reports.pendingSince(
      new Date(now.getTime() - REQUEUE_AFTER_MS),
      now,
    );
    // Same job id: a job still known to BullMQ is not added twice.
    for (const id of pending) await this.enqueue(id);
    return { deleted, requeued: pending.length };
  }

  private async fail(id: string, message: string): Promise<'failed'> {
    await this.reports.markFailed(id, message, this.clock.now());
    return 'failed';
  }

  /** The requester as the authentication would see them now (read from the database). */
  private async actorOf(userId: string): Promise<Actor | null> {
    const user = await this.users.findActive(userId);
    // A job has no session: it gets the narrower of the two kinds (no token minting).
    return user
      ? { userId: user.id, organizationId: user.organizationId, role: user.role, via: 'api_token' }
      : null;
  }

  /** After the row is committed; if Redis is away, the cleanup sweep queues it later. */
  private async enqueue(reportId: string): Promise<void> {
    try {
      await withTimeout(
        this.queue.add(
          JobName.ReportBuild,
          { reportId },
          {
            jobId: reportJobId(reportId),
            attempts: 3,
            backoff: { type: 'exponential', delay: 2000 },
          },
        ),
        5000,
      );
    } catch (error) {
      this.logger.warn(
        { reportId, reason: (error as Error).name },
        'could not queue a report build; the cleanup sweep will',
      );
    }
  }
}

/**
 * `params` checked with the GET route's own DTO class (unknown fields refused), errors named
 * `params.<field>`. Format and lang belong to the request (or were stored by it).
 */
async function validQuery(
  kind: ReportKind,
  params: Record<string, unknown>,
  prefix: string,
  fromRequest: boolean,
): Promise<ReportQuery> {
  const errors: FieldError[] = [];
  const own = ['format', ...(fromRequest ? ['lang'] : [])];
  for (const key of own) {
    if (Object.hasOwn(params, key)) {
      errors.push({
        field: `${prefix}.${key}`,
        message: `${key} is given at the top level of the request, not in ${prefix}`,
      });
    }
  }
  const query: ReportQuery = plainToInstance(QUERY_CLASSES[kind], params);
  const invalid = await validate(query, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  errors.push(...flattenValidationErrors(invalid, prefix));
  if (errors.length > 0) throw new ValidationFailedError(errors);
  return query;
}

/** A period error of the query, renamed into `params`. */
function prefixed(error: unknown, prefix: string): unknown {
  if (!(error instanceof ValidationFailedError)) return error;
  return new ValidationFailedError(
    (error.errors ?? []).map((e) => ({ field: `${prefix}.${e.field}`, message: e.message })),
  );
}

/** The validated question, without format and lang and without what was not given. */
function storedParams(query: ReportQuery): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query).filter(([k, v]) => k !== 'format' && k !== 'lang' && v !== undefined),
  );
}

function toReportResponse(r: ReportEntity): ReportResponseDto {
  return {
    id: r.id,
    kind: r.kind as ReportKind,
    format: r.format as 'csv' | 'json',
    status: r.status,
    progress: r.progress,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt.toISOString(),
    ...(r.status === 'done' ? { downloadUrl: `/v1/reports/${r.id}/download` } : {}),
    ...(r.status === 'failed' && r.error ? { error: r.error } : {}),
  };
}
