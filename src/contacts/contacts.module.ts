import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { ContactChannelEntity } from './contact-channel.entity';
import { ContactEventEntity } from './contact-event.entity';
import { ContactPlatformEntity } from './contact-platform.entity';
import { ContactTenureEntity } from './contact-tenure.entity';
import { ContactEntity } from './contact.entity';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

export const CONTACT_ENTITIES = [
  ContactEntity,
  ContactChannelEntity,
  ContactTenureEntity,
  ContactEventEntity,
  ContactPlatformEntity,
];

@Module({
  imports: [TypeOrmModule.forFeature(CONTACT_ENTITIES), PlatformsModule, AuditModule],
  controllers: [ContactsController],
  providers: [ContactsRepository, ContactsService],
  exports: [ContactsService],
})
export class ContactsModule {}
