import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueueName } from '../queue/queues';
import { ContactsProcessor, ContactsScheduler } from './contacts.processor';
import { CONTACT_ENTITIES } from './contacts.module';
import { ContactsRepository } from './contacts.repository';

/** The contacts feature's worker side: the staleness sweep. */
@Module({
  imports: [
    TypeOrmModule.forFeature(CONTACT_ENTITIES),
    BullModule.registerQueue({ name: QueueName.Contacts }),
  ],
  providers: [ContactsRepository, ContactsProcessor, ContactsScheduler],
})
export class ContactsJobsModule {}
