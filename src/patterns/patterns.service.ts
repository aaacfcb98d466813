import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import {
  PatternFilterDto,
  TrendPeriod,
  TrendRowDto,
  TrendsQueryDto,
  TrendsResponseDto,
} from './dto/trends.dto';
import { Dimension } from './pattern-grains';
import { monthPeriod, widenToPeriod } from './pattern-period';
import { PatternFilters, PatternScope, PatternsRepository } from './patterns.repository';
import { protectCount } from './disclosure';

/** Dimensions whose '' means "none given" (answered as null). */
const OPTIONAL_DIMENSIONS = new Set<Dimension>([
  'subcategory',
  'dsaCategory',
  'targetGroup',
  'outcome',
]);

/**
 * Questions to the shared aggression repository. Every count is protected here before it leaves
 * (`disclosure.ts`): perturbed by its cell key, hidden when counted from fewer than K_ANONYMITY
 * cases or when all organisations but the largest hold fewer than K_ANONYMITY of them.
 */
@Injectable()
export class PatternsService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  get k(): number {
    return this.config.patterns.kAnonymity;
  }

  async trends(actor: Actor | null, query: TrendsQueryDto): Promise<TrendsResponseDto> {
    const answer = await this.computeTrends(query, actor === null);
    if (actor) {
      await this.audit.record({
        action: 'patterns.read',
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        details: { kind: 'trends', groupBy: query.groupBy },
      });
    }
    return answer;
  }

  /** Trends without the audit entry (exports record their own). */
  async computeTrends(query: TrendsQueryDto, publicOnly = false): Promise<TrendsResponseDto> {
    const period = query.period ?? 'month';
    const scope = this.scope(query, publicOnly, period);
    const groupBy = query.groupBy;
    const [cells, total] = await Promise.all([
      this.patterns.trendCells(scope, groupBy, period),
      this.patterns.total(scope),
    ]);
    const data: TrendRowDto[] = cells.map((c) => ({
      ...Object.fromEntries(
        groupBy.map((d) => [
          d,
          OPTIONAL_DIMENSIONS.has(d) && c.values[d] === '' ? null : c.values[d],
        ]),
      ),
      ...protectCount(c, this.k),
    }));
    // The total is a cell of its own (its own key and noise), not the sum of the rows.
    return {
      from: scope.from.slice(0, 7),
      to: scope.to.slice(0, 7),
      groupBy,
      period,
      k: this.k,
      data,
      total:
        total.count === 0
          ? { count: 0, organizations: 0, suppressed: false }
          : protectCount(total, this.k),
    };
  }

  /** The period (widened to whole quarters or years for those steps) and the filters. */
  scope(query: PatternFilterDto, publicOnly = false, step: TrendPeriod = 'month'): PatternScope {
    const period = widenToPeriod(monthPeriod(this.clock.now(), query.from, query.to), step);
    const filters: PatternFilters = {
      platform: query.platform,
      channelKind: query.channelKind,
      category: query.category,
      subcategory: query.subcategory,
      dsaCategory: query.dsaCategory,
      country: query.country,
      targetGroup: query.targetGroup,
      outcome: query.outcome,
    };
    return { from: period.from, to: period.to, filters, publicOnly };
  }
}
