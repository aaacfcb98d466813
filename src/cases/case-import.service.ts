import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/events/domain-events';
import { DomainError, FieldError, ValidationFailedError } from '../common/errors/domain-error';
import { MAX_LIMIT } from '../common/pagination/list-query.dto';
import { flattenValidationErrors } from '../common/validation/validation.pipe';
import { AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlatformQueryDto } from '../platforms/dto/platform.dto';
import { PlatformsService } from '../platforms/platforms.service';
import { clockRuns } from './case-clock';
import {
  byLineAndColumn,
  ImportColumn,
  ImportError,
  ImportHistory,
  mapImportRow,
  MappedRow,
  parseImportCsv,
  toImportError,
} from './case-import.csv';
import {
  applyStep,
  CaseEventType,
  CaseOutcome,
  CaseState,
  CaseStatus,
  initialState,
} from './case-status.machine';
import { CasesRepository, NewCase } from './cases.repository';
import { CasesService } from './cases.service';
import {
  categoryErrors,
  notInFuture,
  requireWriter,
  sharingErrors,
  toIndicators,
  toItems,
} from './case-rules';
import { CreateCaseDto } from './dto/case.dto';

export interface CaseImportResult {
  /** Cases written (0 on a dry run or when anything is wrong). */
  imported: number;
  /** Dry run: how many rows would be imported. */
  valid?: number;
  /** Every problem, by line; any at all and nothing is written. */
  errors: ImportError[];
  dryRun?: true;
}

interface ChannelRef {
  id: string;
  expectedResponseHours: number;
}

interface PlatformRef {
  id: string;
  channels: Map<string, ChannelRef>;
}

type ImportedEvent = {
  type: CaseEventType;
  occurredAt: Date;
  statusAfter: CaseStatus;
  outcome?: CaseOutcome | null;
};

type ImportedCase = NewCase & { events: ImportedEvent[] };

/** A past platform answer of the row, as a timeline step, with the column it came from. */
interface PastStep {
  type: 'escalated' | 'platform_acknowledged' | 'platform_responded' | 'closed';
  column: ImportColumn;
  at: Date;
  outcome?: CaseOutcome;
}

/**
 * `POST /v1/cases/import`: past escalations from a spreadsheet, all or nothing. Each row is
 * checked as `POST /v1/cases` checks a body, and its past answers are replayed through the
 * status machine; any problem anywhere and nothing is written.
 */
@Injectable()
export class CaseImportService {
  constructor(
    private readonly cases: CasesRepository,
    private readonly casesService: CasesService,
    private readonly platforms: PlatformsService,
    private readonly organizations: OrganizationsService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  async import(actor: Actor, csv: Buffer, dryRun: boolean): Promise<CaseImportResult> {
    requireWriter(actor);
    const now = this.clock.now();
    const parsed = parseImportCsv(csv);
    const errors = [...parsed.errors];
    const rows = parsed.rows.map(mapImportRow);
    const platforms = rows.length > 0 ? await this.loadPlatforms() : new Map<string, PlatformRef>();
    const checked = rows.map((row) => this.check(row, platforms, now));

    // Shared organisations: one query for the whole file.
    const sharedIds = [...new Set(checked.flatMap((c) => c.sharedOrganizationIds))];
    const unknownOrganizations = new Set(
      sharedIds.length > 0 ? await this.organizations.unknownIds(sharedIds) : [],
    );

    const year = now.getUTCFullYear();
    const cases: ImportedCase[] = [];
    for (const c of checked) {
      const unknown = c.sharedOrganizationIds.filter((id) => unknownOrganizations.has(id)).length;
      if (unknown > 0) {
        c.errors.push({
          line: c.line,
          column: 'share_with_organization_ids',
          message: `share_with_organization_ids names ${unknown} unknown organisation(s)`,
        });
      }
      errors.push(...c.errors);
      if (errors.length === 0 && c.valid) cases.push(c.valid(actor, year));
    }
    errors.sort(byLineAndColumn);

    if (errors.length > 0) {
      await this.record(actor, { dryRun, rows: rows.length, count: 0, errors: errors.length });
      return { imported: 0, errors, ...(dryRun && { dryRun: true as const }) };
    }
    if (dryRun) {
      await this.record(actor, { dryRun, rows: rows.length, count: 0, errors: 0 });
      return { imported: 0, valid: cases.length, errors: [], dryRun: true };
    }
    const imported = await this.tx.run(async (em) => {
      const count = (await this.cases.insertMany(cases, em)).size;
      await this.record(actor, { dryRun, rows: rows.length, count, errors: 0 }, em);
      // Past escalations still waiting for the platform: deadlines already passed fire at once.
      const deadlines = cases
        .filter((c) => clockRuns(c.state))
        .map((c) => ({ caseId: c.id, dueAt: c.state.dueAt! }));
      if (deadlines.length > 0) await this.events.emit(em, 'case.deadline-changed', { deadlines });
      return count;
    });
    return { imported, errors: [] };
  }

  /**
   * One row, checked as `POST /v1/cases` checks a body, plus its past answers. Every problem of
   * the row is reported (a column once); `valid` builds the case when there is none.
   */
  private check(
    row: MappedRow,
    platforms: Map<string, PlatformRef>,
    now: Date,
  ): {
    line: number;
    errors: ImportError[];
    sharedOrganizationIds: string[];
    valid?: (actor: Actor, year: number) => ImportedCase;
  } {
    const { line } = row;
    const errors = [...row.errors];
    const add = (found: (FieldError | Omit<ImportError, 'line'>)[]) => {
      const reported = new Set(errors.map((e) => e.column));
      for (const e of found) {
        const error = 'field' in e ? toImportError(line, e) : { ...e, line };
        if (!reported.has(error.column)) errors.push(error);
      }
    };

    const dto = plainToInstance(CreateCaseDto, row.body);
    const dtoErrors = flattenValidationErrors(
      validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }),
    );
    add(dtoErrors);
    if (dtoErrors.length > 0) return { line, errors, sharedOrganizationIds: [] };

    add([
      ...categoryErrors(dto.categoryCode, dto.subcategoryCode),
      ...sharingErrors(dto.tlp ?? 'AMBER+STRICT', dto.shareWithOrganizationIds ?? [], []),
      ...notInFuture('escalatedAt', dto.escalatedAt, now),
      ...(dto.tlp === 'RED'
        ? [{ field: 'tlp', message: 'tlp RED cannot be imported: log RED cases one by one' }]
        : []),
    ]);
    const fieldErrors: FieldError[] = [];
    const items = toItems(dto.items ?? [], now, fieldErrors);
    const indicators = toIndicators(
      dto.indicators ?? [],
      this.config.indicatorHashKey,
      fieldErrors,
    );
    add(fieldErrors);

    const platform = platforms.get(dto.platformCode);
    const channel = platform?.channels.get(dto.channelCode);
    if (!platform) {
      add([{ column: 'platform', message: 'platform is not a known platform code' }]);
    } else if (!channel) {
      add([{ column: 'channel', message: 'channel is not a channel of this platform' }]);
    }
    const timeline = channel ? this.replay(dto, row.history, channel, now) : undefined;
    if (timeline && 'errors' in timeline) add(timeline.errors);

    const sharedOrganizationIds = dto.shareWithOrganizationIds ?? [];
    if (errors.length > 0 || !platform || !channel || !timeline || 'errors' in timeline) {
      return { line, errors, sharedOrganizationIds };
    }
    const { state, events } = timeline;
    return {
      line,
      errors,
      sharedOrganizationIds,
      valid: (actor, year) => ({
        id: randomUUID(),
        year,
        organizationId: actor.organizationId,
        createdBy: actor.userId,
        platformId: platform.id,
        channelId: channel.id,
        contactId: null,
        title: dto.title,
        summary: dto.summary,
        categoryCode: dto.categoryCode,
        subcategoryCode: dto.subcategoryCode ?? null,
        targetGroups: dto.targetGroups ?? [],
        country: dto.country,
        contentLanguage: dto.contentLanguage ?? null,
        urgency: dto.urgency ?? 'normal',
        tlp: dto.tlp ?? 'AMBER+STRICT',
        sharedOrganizationIds,
        sharedUserIds: [],
        consentToSharePattern: dto.consentToSharePattern ?? false,
        platformReference: dto.platformReference ?? null,
        state,
        now,
        events: [{ type: 'created', occurredAt: now, statusAfter: 'draft' }, ...events],
        items,
        indicators,
      }),
    };
  }

  /**
   * The row's past as timeline steps, through the status machine: escalation, the first answer
   * (an acknowledgement unless it is the decision itself), the decision with its outcome, the
   * closing. Steps out of order, or that the machine refuses, are errors of their column.
   */
  private replay(
    dto: CreateCaseDto,
    history: ImportHistory,
    channel: ChannelRef,
    now: Date,
  ): { state: CaseState; events: ImportedEvent[] } | { errors: Omit<ImportError, 'line'>[] } {
    const at = (value: string | undefined) => (value ? new Date(value) : undefined);
    const escalatedAt = at(dto.escalatedAt ?? undefined);
    const firstResponseAt = at(history.firstResponseAt);
    const resolvedAt = at(history.resolvedAt);
    const closedAt = at(history.closedAt);
    const outcome = history.outcome as CaseOutcome | undefined;

    const errors: Omit<ImportError, 'line'>[] = [];
    for (const [column, value] of [
      ['first_response_at', history.firstResponseAt],
      ['resolved_at', history.resolvedAt],
      ['closed_at', history.closedAt],
    ] as const) {
      errors.push(...notInFuture(column, value, now).map((e) => ({ column, message: e.message })));
    }
    if (!escalatedAt) {
      for (const [column, value] of [
        ['first_response_at', firstResponseAt],
        ['resolved_at', resolvedAt],
      ] as const) {
        if (value) errors.push({ column, message: `${column} needs escalated_at` });
      }
    }
    if (outcome && !resolvedAt && !closedAt) {
      errors.push({ column: 'outcome', message: 'outcome needs resolved_at or closed_at' });
    }
    if (errors.length > 0) return { errors };

    const steps: PastStep[] = [];
    if (escalatedAt) steps.push({ type: 'escalated', column: 'escalated_at', at: escalatedAt });
    if (firstResponseAt && firstResponseAt.getTime() !== resolvedAt?.getTime()) {
      steps.push({
        type: 'platform_acknowledged',
        column: 'first_response_at',
        at: firstResponseAt,
      });
    }
    if (resolvedAt) {
      steps.push({ type: 'platform_responded', column: 'resolved_at', at: resolvedAt, outcome });
    }
    if (closedAt) {
      steps.push({
        type: 'closed',
        column: 'closed_at',
        at: closedAt,
        outcome: resolvedAt ? undefined : outcome,
      });
    }
    for (let i = 1; i < steps.length; i += 1) {
      if (steps[i].at.getTime() < steps[i - 1].at.getTime()) {
        return {
          errors: [
            {
              column: steps[i].column,
              message: `${steps[i].column} must not be before ${steps[i - 1].column}`,
            },
          ],
        };
      }
    }

    let state = initialState();
    const events: ImportedEvent[] = [];
    for (const step of steps) {
      try {
        state = applyStep(state, {
          type: step.type,
          occurredAt: step.at,
          outcome: step.outcome,
          expectedResponseHours: channel.expectedResponseHours,
          urgency: dto.urgency ?? 'normal',
        });
      } catch (error) {
        return { errors: machineErrors(error, step) };
      }
      events.push({
        type: step.type,
        occurredAt: step.at,
        statusAfter: state.status,
        outcome: step.type === 'closed' ? state.outcome : (step.outcome ?? null),
      });
    }
    return { state, events };
  }

  /** Every platform with its channels, read once per import. */
  private async loadPlatforms(): Promise<Map<string, PlatformRef>> {
    const platforms = new Map<string, PlatformRef>();
    let cursor: string | undefined;
    do {
      const page = await this.platforms.list(
        Object.assign(new PlatformQueryDto(), { limit: MAX_LIMIT, cursor }),
      );
      for (const p of page.data) {
        platforms.set(p.code, {
          id: p.id,
          channels: new Map(
            p.channels.map((c) => [
              c.code,
              { id: c.id, expectedResponseHours: c.expectedResponseHours },
            ]),
          ),
        });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return platforms;
  }

  /** Counts and flags only: never what the rows say. */
  private record(
    actor: Actor,
    details: { dryRun: boolean; rows: number; count: number; errors: number },
    em?: Parameters<CasesService['record']>[3],
  ): Promise<void> {
    return this.casesService.record(actor, 'case.imported', undefined, em, details);
  }
}

/** What the status machine refused, as errors of the step's column. */
function machineErrors(error: unknown, step: PastStep): Omit<ImportError, 'line'>[] {
  if (error instanceof ValidationFailedError) {
    return (error.errors ?? []).map((e) => {
      const column = e.field === 'outcome' ? 'outcome' : step.column;
      return { column, message: e.message.split(e.field).join(column) };
    });
  }
  if (error instanceof DomainError) {
    return [{ column: step.column, message: error.detail ?? error.title }];
  }
  throw error;
}
