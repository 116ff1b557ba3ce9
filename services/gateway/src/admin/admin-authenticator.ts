import { Inject, Injectable } from '@nestjs/common';
import type { AdminActor } from '@chatgate/contracts';
import { bearerFrom } from '../auth/bearer.js';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import { AdminPassword } from './admin-password.js';
import { FailureLimiter } from './failure-limiter.js';

/**
 * Who may use the admin API: the holder of `ADMIN_PASSWORD`, as `Authorization: Bearer <password>`
 * (ChatGPT-Mirror's way). One instance per gateway, so the failure counts are shared by every
 * admin route.
 */
@Injectable()
export class AdminAuthenticator {
  private readonly password: AdminPassword;
  private readonly limiter = new FailureLimiter();

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.password = new AdminPassword(config.ADMIN_PASSWORD);
  }

  /**
   * @param address the client's address: failures are counted per address. A missing header is
   * refused but not counted (it guesses nothing); an address that must wait is refused unchecked.
   */
  authenticate(authorization: string | string[] | undefined, address: string, now = Date.now()): AdminActor {
    if (!this.password.enabled) {
      // 403 rather than 404: the routes exist, and the operator should learn why they refuse.
      throw new ApiError(403, { message: 'The admin API is disabled: set ADMIN_PASSWORD on the gateway to enable it.', type: 'invalid_request_error', param: null, code: 'admin_disabled' });
    }
    const waitMs = this.limiter.waitMs(address, now);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new ApiError(429, { message: `Too many wrong admin passwords from this address; try again in ${seconds} seconds.`, type: 'rate_limit_error', param: null, code: 'too_many_failed_logins' }, seconds);
    }
    const presented = bearerFrom(authorization);
    if (!this.password.matches(presented)) {
      this.limiter.fail(address, now);
      throw ApiError.unauthorized('Incorrect admin password.', 'invalid_admin_password');
    }
    this.limiter.succeed(address);
    return { kind: 'operator' };
  }
}
