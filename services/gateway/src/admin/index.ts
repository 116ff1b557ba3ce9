import { AccountsAdminController } from './accounts.controller.js';
import { ModelRoutesAdminController } from './model-routes.controller.js';
import { AdminAuthenticator } from './admin-authenticator.js';
import { adminRedisProvider, AdminRedisCloser } from './admin-redis.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminKeyVerifier } from './admin-key-verifier.js';
import { KeysAdminController } from './keys.controller.js';
import { TenantsAdminController } from './tenants.controller.js';
import { UsersAdminController } from './users.controller.js';
import { AdminGuard } from './admin.guard.js';
import { MirrorAdminController } from './mirror-admin.controller.js';
import { AdminOpenApiController } from './openapi/openapi.controller.js';
import { RefreshPassesController } from './refresh-passes.controller.js';
import { TokensController } from './tokens.controller.js';
import { UsageAdminController } from './usage-admin.controller.js';
import { SystemHealthAdminController } from './system-health-admin.controller.js';
import { AuditAdminController } from './audit.controller.js';
import type { GatewayFeature } from '../shared/feature.js';

/** The admin API (`/admin/v1/…`, ChatGPT-Mirror's admin routes and usage views), behind AdminGuard. */
export const ADMIN_FEATURE: GatewayFeature = {
  controllers: [TokensController, MirrorAdminController, AccountsAdminController, RefreshPassesController, AdminOpenApiController, TenantsAdminController, UsersAdminController, KeysAdminController, ModelRoutesAdminController, UsageAdminController, AuditAdminController, SystemHealthAdminController],
  providers: [adminRedisProvider, AdminRedisCloser, AdminAuthenticator, AdminGuard, AdminBusClient, AdminKeyVerifier],
};
