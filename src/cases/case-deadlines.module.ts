import { Module } from '@nestjs/common';
import { CaseDeadlinesRepository } from './case-deadlines.repository';
import { CaseDeadlinesService } from './case-deadlines.service';

/**
 * The part of cases the deadline worker uses, without the rest of the cases feature (its
 * controllers, contacts, platforms): the worker role loads this alone.
 */
@Module({
  providers: [CaseDeadlinesRepository, CaseDeadlinesService],
  exports: [CaseDeadlinesService],
})
export class CaseDeadlinesModule {}
