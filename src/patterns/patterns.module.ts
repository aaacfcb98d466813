import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ContactsModule } from '../contacts/contacts.module';
import { PatternRollupsRepository } from './pattern-rollups.repository';
import { PatternsController } from './patterns.controller';
import { PatternsRepository } from './patterns.repository';
import { PatternsService } from './patterns.service';
import { ScorecardService } from './scorecard.service';
import { TaxonomyDsaSync } from './taxonomy-dsa.sync';

/** The shared aggression repository: trends, emerging patterns, campaigns, scorecard data. */
@Module({
  imports: [AuditModule, ContactsModule],
  controllers: [PatternsController],
  providers: [
    PatternsRepository,
    PatternsService,
    ScorecardService,
    PatternRollupsRepository,
    TaxonomyDsaSync,
  ],
  exports: [PatternsService, ScorecardService, PatternsRepository, PatternRollupsRepository],
})
export class PatternsModule {}
