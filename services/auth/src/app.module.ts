import { Module, type DynamicModule, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AuthConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmModule } from '@chatgate/service-kit/postgres';
import { RedisHealthIndicator, RedisModule } from '@chatgate/service-kit/redis';
import { AccountRefresher } from './accounts/account-refresher.service.js';
import { AccountsService } from './accounts/accounts.service.js';
import { AuditEntryEntity } from './audit/audit-entry.entity.js';
import { AuditLogRepository } from './audit/audit-log.repository.js';
import { PlatformAddressPolicy } from './accounts/platform-address.policy.js';
import { TokenCipher } from './accounts/token-cipher.js';
import { TokenExchangeEntity } from './accounts/token-exchange.entity.js';
import { TokenExchangesRepository } from './accounts/token-exchanges.repository.js';
import { UpstreamAccountEntity } from './accounts/upstream-account.entity.js';
import { UpstreamAccountsRepository } from './accounts/upstream-accounts.repository.js';
import { ADMIN_CONTROLLERS, ADMIN_PROVIDERS } from './admin/index.js';
import { AUTH_CONFIG, AUTH_LOGGER, AUTH_SCHEMA } from './auth.config.js';
import { BootstrapPreflight } from './bootstrap/bootstrap-preflight.js';
import { BootstrapTokenEntity } from './bootstrap/bootstrap-token.entity.js';
import { BootstrapTokensRepository } from './bootstrap/bootstrap-tokens.repository.js';
import { BootstrapService } from './bootstrap/bootstrap.service.js';
import { CredentialResolverService } from './credentials/credential-resolver.service.js';
import { CredentialsController } from './credentials/credentials.controller.js';
import { ExchangedTokenCache } from './credentials/exchanged-token.cache.js';
import { IssuerKeys } from './credentials/issuer-keys.js';
import { RefusedBearers } from './credentials/refused-bearers.js';
import { UserCredentialsResolver } from './credentials/user-credentials.resolver.js';
import { ApiKeyEntity } from './keys/api-key.entity.js';
import { ApiKeysRepository } from './keys/api-keys.repository.js';
import { MirrorTokenEntity } from './keys/mirror-token.entity.js';
import { MirrorTokensRepository } from './keys/mirror-tokens.repository.js';
import { RedisLocks } from './persistence/redis-locks.js';
import { UnitOfWork } from './persistence/unit-of-work.js';
import { UserEntity } from './users/user.entity.js';
import { UsersRepository } from './users/users.repository.js';
import { AUTH_MIGRATIONS } from './migrations/index.js';
import { AccountPoolListener } from './pool/account-pool.listener.js';
import { AccountPoolService } from './pool/account-pool.service.js';
import { REFRESH_ENTITIES, REFRESH_PROVIDERS } from './refresh/index.js';
import { TenantEntity } from './tenants/tenant.entity.js';
import { TenantsRepository } from './tenants/tenants.repository.js';
import { TenantsService } from './tenants/tenants.service.js';
import { ModelRoutesService } from './tenants/model-routes.service.js';
import { ChatGptAuthClient } from './upstream/chatgpt-auth.client.js';
import { CodexAuthClient } from './upstream/codex-auth.client.js';
import { AuthMetrics } from './observability/auth-metrics.js';

@Injectable()
class UpstreamClientCloser implements OnApplicationShutdown {
  constructor(
    @Inject(ChatGptAuthClient) private readonly client: ChatGptAuthClient,
    @Inject(CodexAuthClient) private readonly codex: CodexAuthClient,
  ) {}
  async onApplicationShutdown() {
    await Promise.all([this.client.close(), this.codex.close()]);
  }
}

/** Every table auth maps; the schema drift check compares them with what the migrations build. */
export const AUTH_ENTITIES = [TenantEntity, UpstreamAccountEntity, ...REFRESH_ENTITIES, UserEntity, ApiKeyEntity, MirrorTokenEntity, BootstrapTokenEntity, TokenExchangeEntity, AuditEntryEntity];

/** Every read and write of a table goes through one of these; they follow the transaction open in their caller's context. */
const REPOSITORIES = [TenantsRepository, UpstreamAccountsRepository, TokenExchangesRepository, UsersRepository, ApiKeysRepository, MirrorTokensRepository, BootstrapTokensRepository, AuditLogRepository];

@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig, logger: Logger, cipher: TokenCipher): DynamicModule {
    const entities = AUTH_ENTITIES;
    return {
      module: AuthModule,
      imports: [
        serviceTypeOrmModule({ url: config.DATABASE_URL, schema: AUTH_SCHEMA, entities, migrations: AUTH_MIGRATIONS }),
        TypeOrmModule.forFeature(entities),
        RedisModule.forRoot(config.REDIS_URL),
        NatsConnectionModule.forRoot(config, 'chatgate-auth', logger, 'auth'),
        HealthModule.forRoot('auth', [NatsHealthIndicator, PostgresHealthIndicator, RedisHealthIndicator]),
      ],
      controllers: [CredentialsController, ...ADMIN_CONTROLLERS],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: AUTH_LOGGER, useValue: logger },
        { provide: TokenCipher, useValue: cipher },
        { provide: ChatGptAuthClient, useFactory: () => new ChatGptAuthClient(config) },
        { provide: CodexAuthClient, useFactory: () => new CodexAuthClient(config) },
        UpstreamClientCloser,
        UnitOfWork,
        RedisLocks,
        ...REPOSITORIES,
        TenantsService,
        ModelRoutesService,
        AccountRefresher,
        AccountPoolService,
        AccountPoolListener,
        AccountsService,
        PlatformAddressPolicy,
        ExchangedTokenCache,
        IssuerKeys,
        RefusedBearers,
        CredentialResolverService,
        UserCredentialsResolver,
        ...ADMIN_PROVIDERS,
        ...REFRESH_PROVIDERS,
        BootstrapPreflight,
        BootstrapService,
        AuthMetrics,
      ],
    };
  }
}
