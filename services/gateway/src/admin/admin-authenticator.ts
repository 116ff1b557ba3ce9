import { Inject, Injectable, Optional } from '@nestjs/common';
import { credentialFailure, type AdminActor } from '@chatgate/contracts';
import { bearerFrom } from '../shared/http/bearer.js';
import { ApiError } from '../shared/errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { AdminKeyVerifier, TENANT_ADMIN_KEY_PREFIX } from './admin-key-verifier.js';
import { AdminPassword } from './admin-password.js';
import { FailureLimiter } from './failure-limiter.js';

/**
 * Who may use the admin API: the holder of `ADMIN_PASSWORD`, as `Authorization: Bearer <password>`
 * (ChatGPT-Mirror's way), or of a tenant admin key (`cga_…`, checked by auth). One instance per
 * gateway, so the failure counts are shared by every admin route and both kinds of credential.
 */
@Injectable()
export class AdminAuthenticator {
  private readonly password: AdminPassword;
  private readonly limiter = new FailureLimiter();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Optional() private readonly keys?: AdminKeyVerifier,
  ) {
    this.password = new AdminPassword(config.ADMIN_PASSWORD);
  }

  /** The password, or a tenant admin key when one is presented (the admin API must be enabled for either). */
  async authenticateAny(authorization: string | string[] | undefined, address: string, now = Date.now()): Promise<AdminActor> {
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    const presented = value ? /^Bearer\s+(\S+)\s*$/i.exec(value.trim())?.[1] : undefined;
    if (!this.keys || !this.password.enabled || !presented?.startsWith(TENANT_ADMIN_KEY_PREFIX)) return this.authenticate(authorization, address, now);
    this.refuseWhileWaiting(address, now);
    try {
      const { tenantId, keyId } = await this.keys.verify(presented);
      this.limiter.succeed(address);
      return { kind: 'tenant_admin', tenantId, keyId };
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.limiter.fail(address, now);
      throw err;
    }
  }

  /**
   * @param address the client's address: failures are counted per address. A missing header is
   * refused but not counted (it guesses nothing); an address that must wait is refused unchecked.
   */
  authenticate(authorization: string | string[] | undefined, address: string, now = Date.now()): AdminActor {
    if (!this.password.enabled) {
      // 403 rather than 404: the routes exist, and the operator should learn why they refuse.
      throw ApiError.fromBus(credentialFailure('admin_disabled', 'The admin API is disabled: set ADMIN_PASSWORD on the gateway to enable it.'));
    }
    this.refuseWhileWaiting(address, now);
    const presented = bearerFrom(authorization);
    if (!this.password.matches(presented)) {
      this.limiter.fail(address, now);
      throw ApiError.fromBus(credentialFailure('invalid_admin_password', 'Incorrect admin password.'));
    }
    this.limiter.succeed(address);
    return { kind: 'operator' };
  }

  private refuseWhileWaiting(address: string, now: number): void {
    const waitMs = this.limiter.waitMs(address, now);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw ApiError.fromBus(credentialFailure('too_many_failed_logins', `Too many wrong admin passwords from this address; try again in ${seconds} seconds.`, { retryAfterSec: seconds }));
    }
  }
}
