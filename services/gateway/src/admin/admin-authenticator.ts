import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { credentialFailure, type AdminActor } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { bearerFrom } from '../shared/http/bearer.js';
import { ApiError } from '../shared/errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { GATEWAY_LOGGER } from '../shared/config/gateway.logger.js';
import { clientKey } from '../shared/http/client-address.js';
import { ADMIN_REDIS } from './admin-redis.js';
import { AdminKeyVerifier, TENANT_ADMIN_KEY_PREFIX } from './admin-key-verifier.js';
import { AdminPassword } from './admin-password.js';
import { FailureLimiter } from './failure-limiter.js';

/** Where the failure counts live in Redis (one hash per client). */
export const ADMIN_FAILURES_PREFIX = 'chatgate:gateway:admin-failures:';

/**
 * Who may use the admin API: the holder of `ADMIN_PASSWORD`, as `Authorization: Bearer <password>`
 * (ChatGPT-Mirror's way), or of a tenant admin key (`cga_…`, checked by auth). Failures are counted
 * per client (IPv4 address, IPv6 /64) in Redis, shared by every admin route, both kinds of credential
 * and every gateway replica. Without Redis no login is accepted (503): an attacker who could make
 * Redis unreachable must not get unthrottled guesses.
 */
@Injectable()
export class AdminAuthenticator {
  private readonly password: AdminPassword;
  private readonly limiter: FailureLimiter;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(ADMIN_REDIS) redis: Redis,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Optional() private readonly keys?: AdminKeyVerifier,
    /** Tests name their own keys. */
    @Optional() @Inject(ADMIN_FAILURES_PREFIX) prefix: string = ADMIN_FAILURES_PREFIX,
  ) {
    this.password = new AdminPassword(config.ADMIN_PASSWORD);
    this.limiter = new FailureLimiter(redis, prefix);
  }

  /** The password, or a tenant admin key when one is presented (the admin API must be enabled for either). */
  async authenticateAny(authorization: string | string[] | undefined, address: string, now = Date.now()): Promise<AdminActor> {
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    const presented = value ? /^Bearer\s+(\S+)\s*$/i.exec(value.trim())?.[1] : undefined;
    if (!this.keys || !this.password.enabled || !presented?.startsWith(TENANT_ADMIN_KEY_PREFIX)) return this.authenticate(authorization, address, now);
    const client = clientKey(address);
    await this.refuseWhileWaiting(client, now);
    try {
      const { tenantId, keyId } = await this.keys.verify(presented);
      await this.counted(() => this.limiter.succeed(client));
      return { kind: 'tenant_admin', tenantId, keyId };
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) await this.counted(() => this.limiter.fail(client, now));
      throw err;
    }
  }

  /**
   * @param address the client's address: failures are counted per address. A missing header is
   * refused but not counted (it guesses nothing); an address that must wait is refused unchecked.
   */
  async authenticate(authorization: string | string[] | undefined, address: string, now = Date.now()): Promise<AdminActor> {
    if (!this.password.enabled) {
      // 403 rather than 404: the routes exist, and the operator should learn why they refuse.
      throw ApiError.fromBus(credentialFailure('admin_disabled', 'The admin API is disabled: set ADMIN_PASSWORD on the gateway to enable it.'));
    }
    const client = clientKey(address);
    await this.refuseWhileWaiting(client, now);
    const presented = bearerFrom(authorization);
    if (!this.password.matches(presented)) {
      await this.counted(() => this.limiter.fail(client, now));
      throw ApiError.fromBus(credentialFailure('invalid_admin_password', 'Incorrect admin password.'));
    }
    await this.counted(() => this.limiter.succeed(client));
    return { kind: 'operator' };
  }

  /** A step on the shared counts; Redis failing refuses the login (fail closed). */
  private async counted<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'admin login refused: the failed-login counts cannot be reached');
      throw ApiError.fromBus(credentialFailure('admin_login_unavailable', 'Admin logins are unavailable right now (the gateway cannot reach Redis). Try again shortly.'));
    }
  }

  private async refuseWhileWaiting(client: string, now: number): Promise<void> {
    const waitMs = await this.counted(() => this.limiter.waitMs(client, now));
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw ApiError.fromBus(credentialFailure('too_many_failed_logins', `Too many wrong admin passwords from this address; try again in ${seconds} seconds.`, { retryAfterSec: seconds }));
    }
  }
}
