import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { firstValueFrom, timeout } from 'rxjs';
import {
  AUTH_CREDENTIAL_REVOKED,
  AUTH_RESOLVE_CREDENTIAL,
  AUTH_TENANT_PRINCIPALS_CHANGED,
  authUnavailable,
  credentialRevokedEventSchema,
  tenantPrincipalsChangedEventSchema,
  resolveCredentialReplySchema,
  type Principal,
  type ResolveCredentialRequest,
} from '@chatgate/contracts';
import { decodeJson, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config.js';
import { GATEWAY_LOGGER } from '../config/gateway.logger.js';
import { CredentialCache } from './credential-cache.js';

export const AUTH_CLIENT = Symbol('AUTH_CLIENT');
const RESOLVE_TIMEOUT_MS = 3000;

/**
 * Who is calling. The auth service decides; the gateway keeps the answer so that the hot path
 * usually makes no bus hop for it, and forgets it the moment auth announces a revocation.
 */
@Injectable()
export class CredentialResolver implements OnModuleInit, OnModuleDestroy {
  private readonly cache: CredentialCache;
  private revocations?: Subscription;
  private tenantChanges?: Subscription;

  constructor(
    @Inject(AUTH_CLIENT) private readonly auth: ClientProxy,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.cache = new CredentialCache(config.CREDENTIAL_CACHE_TTL_MS);
  }

  onModuleInit() {
    this.revocations = this.nc.subscribe(AUTH_CREDENTIAL_REVOKED, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const { credentialId } = decodeJson(credentialRevokedEventSchema, msg.data);
          this.cache.evictCredential(credentialId);
        } catch (e) {
          this.logger.warn({ err: e }, 'ignored a malformed revocation event');
        }
      },
    });
    // A tenant's routing table rides on its principals: a change re-resolves them on next use.
    this.tenantChanges = this.nc.subscribe(AUTH_TENANT_PRINCIPALS_CHANGED, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.cache.evictTenant(decodeJson(tenantPrincipalsChangedEventSchema, msg.data).tenantId);
        } catch (e) {
          this.logger.warn({ err: e }, 'ignored a malformed tenant change event');
        }
      },
    });
  }

  onModuleDestroy() {
    this.revocations?.unsubscribe();
    this.tenantChanges?.unsubscribe();
  }

  async resolve(bearer: string, accountId: string | undefined): Promise<Principal> {
    const key = createHash('sha256').update(bearer).update('\0').update(accountId ?? '').digest('base64url');
    const cached = this.cache.get(key);
    if (cached) return cached;

    const request: ResolveCredentialRequest = { bearer, accountId };
    let raw: unknown;
    try {
      raw = await firstValueFrom(this.auth.send(AUTH_RESOLVE_CREDENTIAL, request).pipe(timeout(RESOLVE_TIMEOUT_MS)));
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'auth service did not answer');
      throw ApiError.fromBus(authUnavailable());
    }
    const reply = resolveCredentialReplySchema.parse(raw);
    if (!reply.ok) throw ApiError.fromBus(reply.failure);
    this.cache.set(key, reply.principal);
    return reply.principal;
  }
}
