import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueMonitor } from './queue-monitor';
import { QueueName } from './queues';
import { QueuesAdminController } from './queues-admin.controller';

/** Observability of the queues: `GET /v1/admin/queues` and the backlog check of readiness. */
@Module({
  imports: Object.values(QueueName).map((name) => BullModule.registerQueue({ name })),
  controllers: [QueuesAdminController],
  providers: [QueueMonitor],
  exports: [QueueMonitor],
})
export class QueueMonitorModule {}
