import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from './common/clock';
import { Lifecycle } from './common/lifecycle';
import { DomainEvents } from './common/events/domain-events';
import { AppConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source';
import { TransactionRunner } from './database/transaction';
import { DEFAULT_JOB_OPTIONS } from './queue/queues';
import { redisOptionsFromUrl } from './queue/redis-options';
import { RedisModule } from './queue/redis.module';

/**
 * The shared kernel every role needs: configuration, PostgreSQL (and the domain events that
 * ride its transactions), Redis, BullMQ, time.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, clock: Clock = new Clock()): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        DiscoveryModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, config.databasePoolSize),
          // Entities come from each feature's TypeOrmModule.forFeature.
          entities: [],
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        RedisModule,
        BullModule.forRoot({
          connection: { ...redisOptionsFromUrl(config.redisUrl), maxRetriesPerRequest: null },
          prefix: config.queuePrefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        }),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        TransactionRunner,
        DomainEvents,
        Lifecycle,
      ],
      exports: [AppConfig, Clock, TransactionRunner, DomainEvents, Lifecycle],
    };
  }
}
