import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction';
import { WorkingGroupsService } from '../community/working-groups.service';
import { GroupNotification, PatternNotification } from '../notifications/notification';
import { NotificationsService } from '../notifications/notifications.service';
import { CampaignsRepository } from './campaigns.repository';
import { EmergingQueryDto, EmergingResponseDto, EmergingRowDto } from './dto/emerging.dto';
import { isEmerging, rateRatioTest, windowMonths } from './emerging.stats';
import { shiftMonth } from './pattern-period';
import { isSafe, perturbed, unsafeBecause } from './disclosure';
import { PatternsRepository } from './patterns.repository';

/**
 * (category, country) pairs whose monthly rate in the recent window is significantly above the
 * baseline before it: the exact conditional test of two Poisson rates. Months are whole and end
 * with the last complete month (the current one is still filling). Counted from the rollups;
 * the window and the baseline are protected cells (`disclosure.ts`): a pair is listed only when
 * its window is a safe cell, and a baseline that is not safe is shown as hidden.
 */
@Injectable()
export class EmergingService {
  private readonly logger = new Logger(EmergingService.name);

  constructor(
    private readonly patterns: PatternsRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly notifications: NotificationsService,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly groups: WorkingGroupsService,
  ) {}

  async emerging(actor: Actor, query: EmergingQueryDto): Promise<EmergingResponseDto> {
    const answer = await this.compute(query);
    await this.audit.record({
      action: 'patterns.read',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      details: { kind: 'emerging', window: query.window, baseline: query.baseline },
    });
    return answer;
  }

  async compute(query: EmergingQueryDto): Promise<EmergingResponseDto> {
    const k = this.config.patterns.kAnonymity;
    const now = this.clock.now();
    const current = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const windowTo = shiftMonth(current, -1);
    const recentMonths = windowMonths(query.window);
    const baselineMonths = windowMonths(query.baseline);
    const windowFrom = shiftMonth(windowTo, -(recentMonths - 1));
    const baselineFrom = shiftMonth(windowFrom, -baselineMonths);
    const minCount = Math.max(query.minCount, k);
    const cells = await this.patterns.emergingCells(
      `${baselineFrom}-01`,
      `${windowFrom}-01`,
      `${windowTo}-01`,
    );
    const data: EmergingRowDto[] = [];
    for (const c of cells) {
      // Both counts are protected cells; the test runs on the published (perturbed) values, so
      // neither the rate ratio nor the p-value tells more than the counts shown.
      if (!isSafe(c.recent, k)) continue;
      const recent = perturbed(c.recent);
      const hiddenBecause = c.baseline.count === 0 ? null : unsafeBecause(c.baseline, k);
      // A baseline held by one organisation may be large: no stand-in would be honest, and the
      // real one would show through the p-value. A small one stands in as k (conservative).
      if (hiddenBecause === 'dominated') continue;
      const baselineShown = hiddenBecause === null;
      const baseline = baselineShown ? perturbed(c.baseline) : k;
      const result = rateRatioTest({ recent, baseline, recentMonths, baselineMonths });
      if (!isEmerging(result, { recent, minCount, alpha: query.alpha })) continue;
      data.push({
        category: c.category,
        country: c.country,
        recentCount: recent,
        baselineCount: baselineShown ? baseline : null,
        baselineSuppressed: !baselineShown,
        rateRatio:
          result.ratio === null || !Number.isFinite(result.ratio) ? null : round(result.ratio),
        pValue: result.pValue,
      });
    }
    data.sort((a, b) => a.pValue - b.pValue || b.recentCount - a.recentCount);
    return {
      windowFrom,
      windowTo,
      windowMonths: recentMonths,
      baselineMonths,
      alpha: query.alpha,
      minCount,
      k,
      data,
    };
  }

  /**
   * The weekly alerts: each emerging pair goes to the organisations working in its country,
   * once per ISO week and pair; and, as the same protected figures, to the members of every
   * working group that follows emerging patterns (`patternAlerts`), once per week, pair and
   * group (the notification key, which is the delivery jobs' id, is the deduplication).
   */
  async alert(): Promise<{ pairs: number; alerts: number; groupAlerts: number }> {
    const answer = await this.compute(Object.assign(new EmergingQueryDto(), {}));
    const week = isoWeek(this.clock.now());
    const groupIds = answer.data.length ? await this.groups.patternAlertGroupIds() : [];
    let alerts = 0;
    let groupAlerts = 0;
    for (const row of answer.data) {
      const key = `emerging:${week}:${row.category}:${row.country}`;
      const fresh = await this.tx.run(async (em) => {
        const orgs: { id: string }[] = await em.query(
          'SELECT id FROM organizations WHERE $1 = ANY(countries)',
          [row.country],
        );
        return orgs.length
          ? this.campaigns.newAlerts(
              em,
              key,
              orgs.map((o) => o.id),
            )
          : [];
      });
      for (const organizationId of fresh) {
        const notification: PatternNotification = {
          type: 'pattern.emerging',
          key: `emerging-${week}-${row.category}-${row.country}-${organizationId}`,
          organizationId,
          occurredAt: this.clock.now().toISOString(),
          emerging: {
            category: row.category,
            country: row.country,
            recentCount: row.recentCount,
            baselineCount: row.baselineCount,
            rateRatio: row.rateRatio,
            pValue: row.pValue,
            windowMonths: answer.windowMonths,
            baselineMonths: answer.baselineMonths,
          },
        };
        try {
          await this.notifications.notify(notification);
          alerts++;
        } catch (error) {
          this.logger.warn({ key, error: (error as Error).message }, 'emerging alert not queued');
        }
      }
      for (const workingGroupId of groupIds) {
        const notification: GroupNotification = {
          type: 'group.pattern_emerging',
          key: `emerging-${week}-${row.category}-${row.country}-group-${workingGroupId}`,
          workingGroupId,
          occurredAt: this.clock.now().toISOString(),
          emerging: {
            category: row.category,
            country: row.country,
            recentCount: row.recentCount,
            baselineCount: row.baselineCount,
            rateRatio: row.rateRatio,
            pValue: row.pValue,
            windowMonths: answer.windowMonths,
            baselineMonths: answer.baselineMonths,
          },
        };
        try {
          await this.notifications.notify(notification);
          groupAlerts++;
        } catch (error) {
          this.logger.warn(
            { key, workingGroupId, error: (error as Error).message },
            'emerging group notice not queued',
          );
        }
      }
    }
    return { pairs: answer.data.length, alerts, groupAlerts };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** ISO 8601 week, e.g. 2026-W48. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
