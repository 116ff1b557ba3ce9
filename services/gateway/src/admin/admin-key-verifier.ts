import { Injectable } from '@nestjs/common';
import { ADMIN_KEY_VERIFY, adminKeyVerifyReplySchema } from '@chatgate/contracts';
import { AdminBusClient } from './admin-bus.client.js';

/** Tenant admin keys start so; anything else presented to the admin API is taken as the password. */
export const TENANT_ADMIN_KEY_PREFIX = 'cga_';

/**
 * Asks auth whom a tenant admin key belongs to, on every admin request: admin traffic is light,
 * and with no cache a revoked key stops at once on every replica.
 */
@Injectable()
export class AdminKeyVerifier {
  constructor(private readonly bus: AdminBusClient) {}

  verify(key: string): Promise<{ tenantId: string; keyId: string }> {
    return this.bus.call(ADMIN_KEY_VERIFY, { key }, adminKeyVerifyReplySchema);
  }
}
