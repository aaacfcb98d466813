import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { OrganizationQueryDto } from './dto/organization-query.dto';
import { OrganizationResponseDto } from './dto/organization-response.dto';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import { OrganizationEntity } from './organization.entity';
import { OrganizationsRepository } from './organizations.repository';

/** The directory of organisations: readable by every member, written by admins (and org_admins for their own). */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async list(query: OrganizationQueryDto): Promise<Page<OrganizationResponseDto>> {
    const rows = await this.organizations.list(query);
    return toPage(rows, query.limit, toOrganizationResponse, (o) => [o.slug]);
  }

  async get(id: string): Promise<OrganizationResponseDto> {
    return toOrganizationResponse(await this.require(id));
  }

  /** The organisation or a 404; other modules use it to check an id they were given. */
  async require(id: string, em?: EntityManager): Promise<OrganizationEntity> {
    const organization = await this.organizations.findById(id, em);
    if (!organization) throw new NotFoundError('organization');
    return organization;
  }

  findById(id: string, em?: EntityManager): Promise<OrganizationEntity | null> {
    return this.organizations.findById(id, em);
  }

  findBySlug(slug: string, em?: EntityManager): Promise<OrganizationEntity | null> {
    return this.organizations.findBySlug(slug, em);
  }

  /** For other modules naming organisations (AMBER sharing lists): the ids that are none. */
  unknownIds(ids: string[], em?: EntityManager): Promise<string[]> {
    return this.organizations.unknownIds(ids, em);
  }

  async create(
    actor: Actor | null,
    dto: CreateOrganizationDto,
    em?: EntityManager,
  ): Promise<OrganizationResponseDto> {
    const work = async (m: EntityManager) => {
      if (await this.organizations.findBySlug(dto.slug, m)) {
        throw new ConflictError('An organization with this slug already exists.', 'slug');
      }
      const created = await this.organizations.insert(
        {
          ...dto,
          website: dto.website ?? null,
          introduction: dto.introduction ?? null,
          contactEmail: dto.contactEmail ?? null,
          signal: dto.signal ?? null,
        },
        m,
      );
      // The insert answers the defaulted `joined_on` as a Date, not the column's YYYY-MM-DD.
      created.joinedOn = (await this.organizations.findById(created.id, m))!.joinedOn;
      await this.audit.record(
        {
          action: 'organization.created',
          actorUserId: actor?.userId,
          organizationId: created.id,
          targetType: 'organization',
          targetId: created.id,
        },
        m,
      );
      return toOrganizationResponse(created);
    };
    return em ? work(em) : this.tx.run(work);
  }

  async update(
    actor: Actor,
    id: string,
    dto: UpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    if (actor.role !== 'admin' && !(actor.role === 'org_admin' && actor.organizationId === id)) {
      await this.require(id);
      throw new ForbiddenError("Only a community admin or this organization's admin can edit it.");
    }
    return this.tx.run(async (em) => {
      await this.require(id, em);
      await this.organizations.update(id, dto, em);
      await this.audit.record(
        {
          action: 'organization.updated',
          actorUserId: actor.userId,
          organizationId: id,
          targetType: 'organization',
          targetId: id,
          details: { fields: Object.keys(dto).sort() },
        },
        em,
      );
      return toOrganizationResponse(await this.require(id, em));
    });
  }
}

export function toOrganizationResponse(o: OrganizationEntity): OrganizationResponseDto {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    countries: o.countries,
    languages: o.languages,
    constituencies: o.constituencies,
    website: o.website,
    timezone: o.timezone,
    services: o.services,
    introduction: o.introduction,
    contactEmail: o.contactEmail,
    signal: o.signal,
    socialAccounts: o.socialAccounts,
    joinedOn: o.joinedOn,
    namedInCampaigns: o.namedInCampaigns,
    publicStatistics: o.publicStatistics,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
