import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { CaseExportService } from './case-export.service';
import { CaseExportsController } from './case-exports.controller';

/** Cases (and, through patterns, campaigns) for CERT and threat-intelligence tools: STIX, MISP. */
@Module({
  imports: [CasesModule, OrganizationsModule, PlatformsModule],
  controllers: [CaseExportsController],
  providers: [CaseExportService],
  exports: [CaseExportService],
})
export class InteropModule {}
