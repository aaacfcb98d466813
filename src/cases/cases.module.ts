import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ContactsModule } from '../contacts/contacts.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { UsersModule } from '../users/users.module';
import { CaseEventEntity } from './case-event.entity';
import { CaseImportController } from './case-import.controller';
import { CaseImportService } from './case-import.service';
import { CaseEventsController } from './case-events.controller';
import { CaseEventsService } from './case-events.service';
import { CaseIndicatorEntity } from './case-indicator.entity';
import { CaseItemEntity } from './case-item.entity';
import { CaseEntity } from './case.entity';
import { CasesController } from './cases.controller';
import { CasesRepository } from './cases.repository';
import { CasesService } from './cases.service';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IndicatorsController } from './indicators.controller';

export const CASE_ENTITIES = [
  CaseEntity,
  CaseEventEntity,
  CaseItemEntity,
  CaseIndicatorEntity,
  IdempotencyKeyEntity,
];

@Module({
  imports: [
    TypeOrmModule.forFeature(CASE_ENTITIES),
    PlatformsModule,
    ContactsModule,
    OrganizationsModule,
    UsersModule,
    AuditModule,
  ],
  // The import controller comes before CasesController so `/v1/cases/import` is not read as an id.
  controllers: [CaseImportController, CasesController, CaseEventsController, IndicatorsController],
  providers: [CasesRepository, CasesService, CaseEventsService, CaseImportService],
  exports: [CasesService, CaseEventsService],
})
export class CasesModule {}
