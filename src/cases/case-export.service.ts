import { Injectable } from '@nestjs/common';
import { Actor } from '../common/auth/actor';
import { CaseExportInput, toCaseExportInput } from '../interop/case-export';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlatformsService } from '../platforms/platforms.service';
import { CasesService } from './cases.service';

/** A case read under the TLP rule (404 otherwise), with the names its exports need. */
@Injectable()
export class CaseExportService {
  constructor(
    private readonly cases: CasesService,
    private readonly organizations: OrganizationsService,
    private readonly platforms: PlatformsService,
  ) {}

  async exportInput(actor: Actor, id: string): Promise<CaseExportInput> {
    const answer = await this.cases.get(actor, id, false);
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
