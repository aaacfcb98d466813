import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { CaseExportService } from '../interop/case-export.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { AppConfig } from '../config/app-config';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { PatternNotification } from '../notifications/notification';
import { CampaignExportInput } from '../interop/case-export';
import { NotificationsService } from '../notifications/notifications.service';
import { linkCampaigns } from './campaign-linking';
import { CampaignRow, CampaignsRepository, CampaignValueCell } from './campaigns.repository';
import { isSafe, perturbed } from './disclosure';
import { PatternProjection } from './pattern-projection';
import { CampaignResponseDto } from './dto/campaign.dto';

/**
 * Cross-helpline campaigns: found by the campaign-scan job from the shared repository's
 * indicator hashes, listed to the organisations involved (and, as a protected aggregate, to
 * everyone once their cases are a safe cell), with only the cases each reader may see.
 */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly campaigns: CampaignsRepository,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly caseExports: CaseExportService,
    private readonly projection: PatternProjection,
  ) {}

  /**
   * Recomputes the campaigns from scratch in one transaction (under a lock: one scan at a time),
   * keeping each campaign's id while its cases stay linked, then alerts every organisation newly
   * involved, once per campaign.
   */
  async scan(): Promise<{ campaigns: number; removed: number; alerts: number }> {
    // The records the worker has not built yet are built first: the scan links every case
    // committed before it.
    await this.projection.catchUp();
    const { kept, removed, alerts } = await this.tx.run(async (em) => {
      await lockForTransaction(em, 'campaign-scan');
      const found = linkCampaigns(
        await this.campaigns.sightings(em),
        this.config.patterns.campaignWindowDays,
      );
      const campaignOf = new Map<string, string>();
      for (const r of await this.campaigns.currentCampaigns(em)) {
        if (!campaignOf.has(r.caseId)) campaignOf.set(r.caseId, r.campaignId);
      }
      const kept: string[] = [];
      const alerts: { campaignId: string; organizationIds: string[] }[] = [];
      for (const group of found) {
        // The oldest campaign among its cases keeps its id; campaigns it merges disappear.
        const existing = group.caseIds.map((id) => campaignOf.get(id)).find((id) => id);
        const id =
          existing && !kept.includes(existing) ? existing : await this.campaigns.create(em, group);
        await this.campaigns.setCases(em, id, group);
        kept.push(id);
        const fresh = await this.campaigns.newAlerts(em, `campaign:${id}`, group.organizationIds);
        if (fresh.length > 0) alerts.push({ campaignId: id, organizationIds: fresh });
      }
      const removed = await this.campaigns.deleteExcept(em, kept);
      return { kept, removed, alerts };
    });
    // After commit: an alert about a campaign that rolled back would point at nothing.
    let sent = 0;
    for (const alert of alerts) {
      for (const organizationId of alert.organizationIds) {
        await this.alert(alert.campaignId, organizationId);
        sent++;
      }
    }
    return { campaigns: kept.length, removed, alerts: sent };
  }

  async list(
    actor: Actor,
    page: { cursor?: string; limit: number },
  ): Promise<Page<CampaignResponseDto>> {
    const rows = await this.shownTo(actor.organizationId, { cursor: page.cursor });
    const answer = toPage(
      rows,
      page.limit,
      (r) => r,
      (r) => [r.createdAt.toISOString(), r.id],
    );
    const data = await this.withVisibleCases(actor, answer.data);
    await this.record(actor, 'patterns.read', { kind: 'campaigns', count: data.length });
    return { data, nextCursor: answer.nextCursor };
  }

  /** One campaign, or 404 when the actor may not see it (existence not leaked). */
  async get(actor: Actor, id: string, audited = true): Promise<CampaignResponseDto> {
    const [row] = await this.shownTo(actor.organizationId, { id });
    if (!row) throw new NotFoundError('campaign');
    const [campaign] = await this.withVisibleCases(actor, [row]);
    if (audited) await this.record(actor, 'patterns.read', { kind: 'campaign', campaignId: id });
    return campaign;
  }

  /**
   * The campaigns an organisation may see, as it may see them. Its own campaigns in full. Any
   * other only as an aggregate of the shared repository (DISCLOSURE.md): shown when its cases
   * are a safe cell, with their perturbed count, the platforms, categories and countries that
   * are safe cells themselves, and months instead of days; no organisation by name (they agreed
   * to be named to the others involved, and a name would tell that it has a case in it).
   */
  private async shownTo(
    organizationId: string,
    page: { cursor?: string; id?: string },
  ): Promise<CampaignRow[]> {
    const k = this.config.patterns.kAnonymity;
    const rows = await this.campaigns.list(this.tx.manager, organizationId, k, page);
    const outside = rows.filter((r) => !r.involved && isSafe(r, k));
    const cells = outside.length
      ? await this.campaigns.valueCells(
          this.tx.manager,
          outside.map((r) => r.id),
        )
      : [];
    const safeValues = (id: string, dimension: CampaignValueCell['dimension']) =>
      cells
        .filter((c) => c.campaignId === id && c.dimension === dimension && isSafe(c, k))
        .map((c) => c.value);
    return rows.flatMap((r) => {
      if (r.involved) return [r];
      if (!outside.includes(r)) return [];
      return [
        {
          ...r,
          cases: perturbed(r),
          namedOrganizations: [],
          platforms: safeValues(r.id, 'platform'),
          categories: safeValues(r.id, 'category'),
          countries: safeValues(r.id, 'country'),
          firstSeen: r.firstSeen.slice(0, 7),
          lastSeen: r.lastSeen.slice(0, 7),
        },
      ];
    });
  }

  /**
   * The campaign for STIX and MISP: its figures and the full export of each case the actor may
   * see (each read again under the TLP rule). Audited as `campaign.exported`.
   */
  async exportInput(actor: Actor, id: string, format: string): Promise<CampaignExportInput> {
    const campaign = await this.get(actor, id, false);
    const visibleCases = await Promise.all(
      campaign.visibleCases.map((c) => this.caseExports.exportInput(actor, c.id)),
    );
    await this.audit.record({
      action: 'campaign.exported',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      targetType: 'campaign',
      targetId: id,
      details: { format, cases: visibleCases.length },
    });
    return {
      id: campaign.id,
      firstSeen: campaign.firstSeen,
      lastSeen: campaign.lastSeen,
      cases: campaign.cases,
      organizations: campaign.organizations,
      platforms: campaign.platforms,
      categories: campaign.categories,
      countries: campaign.countries,
      visibleCases,
    };
  }

  private async withVisibleCases(
    actor: Actor,
    rows: CampaignRow[],
  ): Promise<CampaignResponseDto[]> {
    const visible = rows.length
      ? await this.campaigns.visibleCases(
          this.tx.manager,
          actor,
          rows.map((r) => r.id),
        )
      : [];
    return rows.map((r) => ({
      id: r.id,
      cases: r.cases,
      organizations: r.organizations,
      involved: r.involved,
      namedOrganizations: r.namedOrganizations,
      platforms: r.platforms,
      categories: r.categories,
      countries: r.countries,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      visibleCases: visible
        .filter((v) => v.campaignId === r.id)
        .map((v) => ({ id: v.id, reference: v.reference })),
    }));
  }

  private async alert(campaignId: string, organizationId: string): Promise<void> {
    const [row] = await this.shownTo(organizationId, { id: campaignId });
    if (!row) return;
    const notification: PatternNotification = {
      type: 'campaign.detected',
      key: `campaign-${campaignId}-${organizationId}`,
      organizationId,
      occurredAt: this.clock.now().toISOString(),
      campaign: {
        id: row.id,
        cases: row.cases,
        otherOrganizations: row.organizations - 1,
        namedOrganizations: row.namedOrganizations,
        platforms: row.platforms,
        categories: row.categories,
        countries: row.countries,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
      },
    };
    try {
      await this.notifications.notify(notification);
    } catch (error) {
      // Recorded as sent already: a lost alert is logged, never a reason to undo the scan.
      this.logger.warn(
        { campaignId, organizationId, error: (error as Error).message },
        'campaign alert not queued',
      );
    }
  }

  private record(actor: Actor, action: 'patterns.read', details: Record<string, unknown>) {
    return this.audit.record({
      action,
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      details,
    });
  }
}
