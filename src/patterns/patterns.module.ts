import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PatternRollupsRepository } from './pattern-rollups.repository';
import { PatternsController } from './patterns.controller';
import { PatternsRepository } from './patterns.repository';
import { PatternsService } from './patterns.service';
import { TaxonomyDsaSync } from './taxonomy-dsa.sync';

/** The shared aggression repository: trends, emerging patterns, campaigns, scorecard data. */
@Module({
  imports: [AuditModule],
  controllers: [PatternsController],
  providers: [PatternsRepository, PatternsService, PatternRollupsRepository, TaxonomyDsaSync],
  exports: [PatternsService, PatternsRepository, PatternRollupsRepository],
})
export class PatternsModule {}
