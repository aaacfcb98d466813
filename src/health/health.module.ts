import { Module } from '@nestjs/common';
import { QueueMonitorModule } from '../queue/queue-monitor.module';
import { HealthController } from './health.controller';

@Module({ imports: [QueueMonitorModule], controllers: [HealthController] })
export class HealthModule {}
