import type { EntityManager } from 'typeorm';
import { OnEvent } from '../common/events/on-event.decorator';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { CaseEventsService } from '../cases/case-events.service';
import { CasesService } from '../cases/cases.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { CSV_CONTENT_TYPE, toCsv } from '../common/csv/csv-writer';
import {
  ConflictError,
  ForbiddenError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { assertValid } from '../common/validation/validation.pipe';
import { ContactsService } from '../contacts/contacts.service';
import { ContactQueryDto } from '../contacts/dto/contact.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { ReportFile } from '../patterns/pattern-csv';
import { ReportResponseDto } from '../reports/dto/report.dto';
import { ReportsService } from '../reports/reports.service';
import { RetentionService } from '../retention/retention.service';
import { UsersService } from '../users/users.service';
import { CreateArchiveDto, CreateErasureDto } from './dto/departure.dto';
import { OrganizationErasureRepository } from './organization-erasure.repository';

export const ARCHIVE_KIND = 'organization-archive';
export const ERASURE_KIND = 'organization-erasure';
/** What the archive says it is, and the version of its shape (README, "An organisation leaving"). */
export const ARCHIVE_FORMAT = 'escalation-tracker.organization-archive';
export const ARCHIVE_VERSION = 1;

const CASE_CSV_HEADER = [
  'reference',
  'tlp',
  'status',
  'platform',
  'channel',
  'category',
  'subcategory',
  'country',
  'urgency',
  'outcome',
  'escalated_at',
  'first_response_at',
  'resolved_at',
  'closed_at',
  'content_removed_at',
  'title',
  'summary',
] as const;

/**
 * An organisation leaving the community: first an archive of everything it owns (a report job
 * with progress, downloaded by the org_admin who asked), then, on its word, the erasure of it all
 * (another report job: its cases one by one as erasures on request, then its contacts, webhooks,
 * users and the organisation itself). Both are the organisation's org_admin's to ask.
 */
@Injectable()
export class DepartureService implements OnModuleInit {
  constructor(
    private readonly reports: ReportsService,
    private readonly organizations: OrganizationsService,
    private readonly retention: RetentionService,
    private readonly users: UsersService,
    private readonly cases: CasesService,
    private readonly caseEvents: CaseEventsService,
    private readonly contacts: ContactsService,
    private readonly erasure: OrganizationErasureRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.reports.registerBuilder(ARCHIVE_KIND, (report, actor, progress) =>
      this.buildArchive(actor, String(report.params.organizationId), report.format, progress),
    );
    this.reports.registerBuilder(ERASURE_KIND, (report, actor, progress) =>
      this.erase(
        actor,
        String(report.params.organizationId),
        report.params.handOverSharedContacts === true,
        progress,
      ),
    );
  }

  async requestArchive(
    actor: Actor,
    organizationId: string,
    dto: CreateArchiveDto,
  ): Promise<ReportResponseDto> {
    await this.requireOrgAdminOf(actor, organizationId);
    const report = await this.reports.createFor(actor, ARCHIVE_KIND, dto.format, {
      organizationId,
    });
    await this.record(actor, 'organization.archive_requested', organizationId, {
      reportId: report.id,
      format: dto.format,
    });
    return report;
  }

  async requestErasure(
    actor: Actor,
    organizationId: string,
    dto: CreateErasureDto,
  ): Promise<ReportResponseDto> {
    const organization = await this.requireOrgAdminOf(actor, organizationId);
    if (dto.confirmSlug !== organization.slug) {
      throw new ValidationFailedError([
        { field: 'confirmSlug', message: "confirmSlug must be the organisation's slug" },
      ]);
    }
    if (dto.handOverSharedContacts && !(await this.erasure.coordinationOf())) {
      throw new ConflictError('There is no coordination to hand the contacts to.');
    }
    const report = await this.reports.createFor(actor, ERASURE_KIND, 'json', {
      organizationId,
      handOverSharedContacts: dto.handOverSharedContacts,
    });
    await this.record(actor, 'organization.erasure_requested', organizationId, {
      reportId: report.id,
      handOverSharedContacts: dto.handOverSharedContacts,
    });
    return report;
  }

  /** The foreign keys to organisations the live schema has (the single list's check). */
  /**
   * An erased case leaves no copy behind: the organisation's stored archives (which hold its
   * cases' content until they expire) go in the erasure's transaction; ask for a new one.
   */
  @OnEvent('case.erased', 'in-transaction')
  async dropArchives({ organizationId }: { organizationId: string }, em: EntityManager) {
    await this.reports.discardOfKind(organizationId, ARCHIVE_KIND, em);
  }

  referencesInSchema() {
    return this.erasure.referencesInSchema();
  }

  /** Foreign keys that would block deleting users, cases or contacts (the same check). */
  blockingReferencesTo(target: 'users' | 'cases' | 'contacts') {
    return this.erasure.blockingReferencesTo(target);
  }

  private async requireOrgAdminOf(actor: Actor, organizationId: string) {
    const organization = await this.organizations.require(organizationId);
    if (actor.role !== 'org_admin' || actor.organizationId !== organizationId) {
      throw new ForbiddenError("Only this organisation's org_admin can do this.");
    }
    return organization;
  }

  /**
   * Everything the organisation owns, as its org_admin may read it: the organisation, its
   * retention rule, its users, its cases with their timelines (never a TLP:RED case, nor its
   * reference) and the contacts it owns.
   */
  private async buildArchive(
    actor: Actor,
    organizationId: string,
    format: string,
    progress: (percent: number) => Promise<void>,
  ): Promise<ReportFile> {
    await this.requireOrgAdminOf(actor, organizationId);
    const organization = await this.organizations.get(organizationId);
    const owned = await this.cases.ownedBy(organizationId);
    const cases: Record<string, unknown>[] = [];
    for (const [i, c] of owned.entries()) {
      // TLP:RED cases are never exported, nor is their existence told to those who may not
      // see them (DESIGN): they stay with their creator until the erasure.
      if (c.tlp !== 'RED') {
        const body = { ...(await this.cases.get(actor, c.id, false)) };
        cases.push(
          format === 'json' ? { ...body, events: await this.timeline(actor, c.id) } : body,
        );
      }
      if (i % 20 === 19) await progress(10 + Math.round((70 * (i + 1)) / owned.length));
    }
    const stamp = this.clock.now().toISOString().slice(0, 10);
    if (format === 'csv') {
      const rows = cases.map((c) =>
        CASE_CSV_HEADER.map((h) => {
          const key = h.replace(/_([a-z])/g, (_m, l: string) => l.toUpperCase());
          const value =
            h === 'platform'
              ? c.platformCode
              : h === 'channel'
                ? c.channelCode
                : h === 'category'
                  ? c.categoryCode
                  : h === 'subcategory'
                    ? c.subcategoryCode
                    : c[key];
          return value as string | null | undefined;
        }),
      );
      await this.record(actor, 'organization.archived', organizationId, {
        format,
        cases: cases.length,
      });
      return {
        content: Buffer.from(toCsv(CASE_CSV_HEADER, rows), 'utf8'),
        contentType: CSV_CONTENT_TYPE,
        filename: `${organization.slug}-cases-${stamp}.csv`,
      };
    }
    const users = await this.all((cursor) =>
      this.users.listForOrganization(actor, organizationId, listQuery(cursor)),
    );
    const contacts = (
      await this.all((cursor) =>
        this.contacts.list(actor, assertValid(ContactQueryDto, { limit: 200, cursor })),
      )
    ).filter((c) => c.organizationId === organizationId);
    await progress(90);
    const archive = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      generatedAt: this.clock.now().toISOString(),
      organization,
      retention: await this.retention.get(actor, organizationId),
      users,
      cases,
      contacts,
    };
    await this.record(actor, 'organization.archived', organizationId, {
      format,
      cases: cases.length,
      contacts: contacts.length,
      users: users.length,
    });
    return {
      content: Buffer.from(JSON.stringify(archive, null, 2), 'utf8'),
      contentType: 'application/json; charset=utf-8',
      filename: `${organization.slug}-archive-${stamp}.json`,
    };
  }

  /**
   * The erasure: each case as an erasure on request, then the organisation's own rows (the
   * single list in OrganizationErasureRepository). The report row goes with the organisation:
   * what remains is the audit entry `organization.erased` with the counts.
   */
  private async erase(
    actor: Actor,
    organizationId: string,
    handOver: boolean,
    progress: (percent: number) => Promise<void>,
  ): Promise<ReportFile> {
    const organization = await this.requireOrgAdminOf(actor, organizationId);
    const cases = await this.cases.eraseAllOf(actor, organizationId, (done, total) =>
      progress(10 + Math.round((80 * done) / total)),
    );
    const coordination = handOver ? await this.erasure.coordinationOf() : null;
    const { userIds, ...counts } = await this.erasure.eraseRest(
      organizationId,
      coordination,
      this.clock.now(),
    );
    this.users.forgetCached(userIds);
    const summary = {
      organization: organization.slug,
      cases,
      ...counts,
      handedOverTo: coordination,
    };
    await this.audit.record({
      action: 'organization.erased',
      actorUserId: null,
      organizationId,
      targetType: 'organization',
      targetId: organizationId,
      details: { ...summary, requestedBy: actor.userId },
    });
    return {
      content: Buffer.from(JSON.stringify(summary), 'utf8'),
      contentType: 'application/json; charset=utf-8',
      filename: `${organization.slug}-erasure.json`,
    };
  }

  private async timeline(actor: Actor, caseId: string) {
    return this.all((cursor) => this.caseEvents.list(actor, caseId, listQuery(cursor)));
  }

  /** Every page of a list. */
  private async all<T>(
    page: (cursor?: string) => Promise<{ data: T[]; nextCursor: string | null }>,
  ): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (;;) {
      const answer = await page(cursor);
      out.push(...answer.data);
      if (!answer.nextCursor) return out;
      cursor = answer.nextCursor;
    }
  }

  private record(
    actor: Actor,
    action:
      'organization.archive_requested' | 'organization.archived' | 'organization.erasure_requested',
    organizationId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      action,
      actorUserId: actor.userId,
      organizationId,
      targetType: 'organization',
      targetId: organizationId,
      details,
    });
  }
}

const listQuery = (cursor?: string) =>
  assertValid(ListQueryDto, { limit: 200, ...(cursor ? { cursor } : {}) });
