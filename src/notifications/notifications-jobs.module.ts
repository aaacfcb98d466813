import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommunityModule } from '../community/community.module';
import { UsersModule } from '../users/users.module';
import { MailSender } from './mail-sender';
import { NOTIFICATION_ENTITIES, NotificationsModule } from './notifications.module';
import { NotificationsProcessor } from './notifications.processor';
import { WebhooksRepository } from './webhooks.repository';

/**
 * The notifications feature's worker side: delivers webhook and e-mail jobs. Re-exports
 * `NotificationsModule`, so importing either gives `NotificationsService`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(NOTIFICATION_ENTITIES),
    NotificationsModule,
    UsersModule,
    CommunityModule,
  ],
  providers: [WebhooksRepository, MailSender, NotificationsProcessor],
  exports: [NotificationsModule],
})
export class NotificationsJobsModule {}
