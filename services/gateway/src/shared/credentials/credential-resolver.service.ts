import { annotateRequest } from '@chatgate/service-kit';
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
import { clientKey } from '../http/client-address.js';
import { CredentialCache } from './credential-cache.js';
import { RefusalCache } from './refusal-cache.js';
import { UnknownBearerLimiter } from './unknown-bearer-limiter.js';

export const AUTH_CLIENT = Symbol('AUTH_CLIENT');
const RESOLVE_TIMEOUT_MS = 3000;

/**
 * Who is calling. The auth service decides; the gateway keeps the answer so that the hot path
 * usually makes no bus hop for it, and forgets it the moment auth announces a revocation.
 */
@Injectable()
export class CredentialResolver implements OnModuleInit, OnModuleDestroy {
  private readonly cache: CredentialCache;
  private readonly refusals = new RefusalCache();
  private readonly unknownBearers = new UnknownBearerLimiter();
  private readonly inFlight = new Map<string, Promise<Principal>>();
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

  /**
   * @param clientAddress the client's address (`req.ip`): Bearers auth refuses are counted per client
   * (UnknownBearerLimiter), so one client cannot make the gateway ask auth (and auth the upstream) for
   * string after string.
   */
  async resolve(bearer: string, accountId: string | undefined, clientAddress: string, now = Date.now()): Promise<Principal> {
    const principal = await this.resolveBearer(bearer, accountId, clientAddress, now);
    // The request's access line and logs name who asked (ids, never the credential).
    annotateRequest({ tenant: principal.tenantId, user: principal.userId ?? undefined });
    return principal;
  }

  private async resolveBearer(bearer: string, accountId: string | undefined, clientAddress: string, now: number): Promise<Principal> {
    const key = createHash('sha256').update(bearer).update('\0').update(accountId ?? '').digest('base64url');
    const cached = this.cache.get(key, now);
    if (cached) return cached;
    const refused = this.refusals.get(key, now);
    if (refused) throw ApiError.fromBus(refused);
    // Concurrent requests with the same Bearer share one question to auth.
    const flying = this.inFlight.get(key);
    if (flying) return flying;

    const client = clientKey(clientAddress);
    // Over its allowance, a client's Bearers are still resolved (its own key works), but auth makes no
    // upstream call for them: a string that would need a token exchange is refused with 429.
    const throttledForMs = this.unknownBearers.waitMs(client, now);
    const flight = this.ask(key, { bearer, accountId, ...(throttledForMs > 0 ? { throttledForMs } : {}) }, client).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, flight);
    return flight;
  }

  private async ask(key: string, request: ResolveCredentialRequest, client: string): Promise<Principal> {
    let raw: unknown;
    try {
      raw = await firstValueFrom(this.auth.send(AUTH_RESOLVE_CREDENTIAL, request).pipe(timeout(RESOLVE_TIMEOUT_MS)));
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'auth service did not answer');
      throw ApiError.fromBus(authUnavailable());
    }
    const reply = resolveCredentialReplySchema.parse(raw);
    if (!reply.ok) {
      if (reply.refusedForMs) {
        this.refusals.set(key, reply.failure, reply.refusedForMs);
        this.unknownBearers.refused(client);
      }
      throw ApiError.fromBus(reply.failure);
    }
    this.cache.set(key, reply.principal);
    return reply.principal;
  }
}
