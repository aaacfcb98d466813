import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), OrganizationsModule, AuditModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, PasswordHasher, AdminBootstrapService],
  exports: [UsersService, AdminBootstrapService],
})
export class UsersModule {}
