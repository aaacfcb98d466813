import { Injectable } from '@nestjs/common';
import { Actor } from '../common/auth/actor';
import { DomainError } from '../common/errors/domain-error';
import { CaseExportInput, toCaseExportInput } from './case-export';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlatformsService } from '../platforms/platforms.service';
import { CasesService } from '../cases/cases.service';

/** Refused to those who may read the case: to anyone else it is a 404, like a missing id. */
export class RedNotExportedError extends DomainError {
  constructor() {
    super(
      403,
      'tlp-red-not-exported',
      'Not exported',
      'TLP:RED cases are never exported: they stay with their creator and the people named.',
    );
  }
}

/**
 * A case read under the TLP rule (404 otherwise), with the names its exports need. TLP:RED
 * cases never leave in an export (a file is forwarded; RED is for the named people only).
 */
@Injectable()
export class CaseExportService {
  constructor(
    private readonly cases: CasesService,
    private readonly organizations: OrganizationsService,
    private readonly platforms: PlatformsService,
  ) {}

  async exportInput(actor: Actor, id: string): Promise<CaseExportInput> {
    const answer = await this.cases.get(actor, id, false);
    if (answer.tlp === 'RED') throw new RedNotExportedError();
    const [organization, platform, named] = await Promise.all([
      this.organizations.require(answer.organizationId),
      this.platforms.require(answer.platformCode),
      answer.tlp === 'AMBER'
        ? Promise.all(answer.shareWithOrganizationIds.map((o) => this.organizations.findById(o)))
        : Promise.resolve([]),
    ]);
    const party = (p: { id: string; name: string; createdAt: Date; updatedAt: Date }) => ({
      id: p.id,
      name: p.name,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    });
    return toCaseExportInput(answer, {
      organization: party(organization),
      platform: { ...party(platform), code: platform.code },
      sharedOrganizations: named.flatMap((o) => (o ? [{ id: o.id, name: o.name }] : [])),
    });
  }
}
