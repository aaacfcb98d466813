import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebSessionEntity } from './web-session.entity';
import { WebSessionsRepository } from './web-sessions.repository';
import { WebSessionsService } from './web-sessions.service';

/**
 * The server-rendered web interface. Its pages are Fastify routes registered by `registerWeb`
 * (src/web/web.ts), outside Nest's controllers, so that the API's guards, problem+json filter
 * and OpenAPI document stay the API's; the pages call the same services with the same Actor.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebSessionEntity])],
  providers: [WebSessionsService, WebSessionsRepository],
  exports: [WebSessionsService],
})
export class WebModule {}
