import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { OrganizationsModule } from '../organizations/organizations.module';
import { UsersModule } from '../users/users.module';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './guards/authentication.guard';
import { RolesGuard } from './guards/roles.guard';
import { WriteRateLimitGuard } from './guards/write-rate-limit.guard';
import { LoginThrottle } from './login-throttle';
import { ApiTokenStrategy } from './strategies/api-token.strategy';
import { JWT_ISSUER, JwtStrategy } from './strategies/jwt.strategy';
import { WriteRateLimit } from './write-rate-limit';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiTokenEntity]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.jwt.expiresInSeconds,
          issuer: JWT_ISSUER,
        },
      }),
    }),
    UsersModule,
    OrganizationsModule,
    AuditModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    ApiTokensService,
    ApiTokensRepository,
    LoginThrottle,
    WriteRateLimit,
    JwtStrategy,
    ApiTokenStrategy,
    // Order matters: authenticate first, then count the write (refused ones too), then check
    // the role.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: WriteRateLimitGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, ApiTokensService, WriteRateLimit],
})
export class AuthModule {}
