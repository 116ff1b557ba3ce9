import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AuthConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmOptions } from '@chatgate/service-kit/postgres';
import { RedisHealthIndicator, RedisModule } from '@chatgate/service-kit/redis';
import { AUTH_CONFIG, AUTH_LOGGER, AUTH_SCHEMA } from './auth.config.js';
import { CredentialResolverService } from './credentials/credential-resolver.service.js';
import { CredentialsController } from './credentials/credentials.controller.js';
import { AUTH_MIGRATIONS } from './migrations/index.js';
import { TenantEntity } from './tenants/tenant.entity.js';
import { TenantsService } from './tenants/tenants.service.js';

@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig, logger: Logger): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        TypeOrmModule.forRoot(serviceTypeOrmOptions({ url: config.DATABASE_URL, schema: AUTH_SCHEMA, entities: [TenantEntity], migrations: AUTH_MIGRATIONS })),
        TypeOrmModule.forFeature([TenantEntity]),
        RedisModule.forRoot(config.REDIS_URL),
        NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-auth'),
        HealthModule.forRoot('auth', [NatsHealthIndicator, PostgresHealthIndicator, RedisHealthIndicator]),
      ],
      controllers: [CredentialsController],
      providers: [{ provide: AUTH_CONFIG, useValue: config }, { provide: AUTH_LOGGER, useValue: logger }, TenantsService, CredentialResolverService],
    };
  }
}
