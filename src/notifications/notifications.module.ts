import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { QueueName } from '../queue/queues';
import { ChannelsModule } from '../channels/channels.module';
import { CommunityModule } from '../community/community.module';
import { UsersModule } from '../users/users.module';
import { DEFAULT_NOTIFICATION_RETRY, NOTIFICATION_RETRY } from './notification-retry';
import { ChannelIncidentAlerts } from './channel-incident-alerts';
import { NotificationsService } from './notifications.service';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

export const NOTIFICATION_ENTITIES = [WebhookEntity, WebhookDeliveryEntity];

/**
 * Webhook management (`/v1/webhooks`) and `NotificationsService`, which only enqueues: import
 * this module to notify, from the API or from a worker module. The deliveries themselves run in
 * `NotificationsJobsModule` (APP_ROLE=worker|all).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(NOTIFICATION_ENTITIES),
    BullModule.registerQueue({ name: QueueName.Notifications }),
    UsersModule,
    CommunityModule,
    ChannelsModule,
    AuditModule,
  ],
  controllers: [WebhooksController],
  providers: [
    WebhooksRepository,
    WebhooksService,
    NotificationsService,
    ChannelIncidentAlerts,
    // A copy per application, which a test may shorten for its own app.
    { provide: NOTIFICATION_RETRY, useFactory: () => ({ ...DEFAULT_NOTIFICATION_RETRY }) },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
