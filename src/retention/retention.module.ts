import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RetentionPolicyEntity } from './retention-policy.entity';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Data laid to rest: each organisation's retention rule and its application. */
@Module({
  imports: [
    TypeOrmModule.forFeature([RetentionPolicyEntity]),
    OrganizationsModule,
    CasesModule,
    AuditModule,
  ],
  controllers: [RetentionController],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
