import { AccountsAdminController } from './accounts.controller.js';
import { ModelRoutesAdminController } from './model-routes.controller.js';
import { AdminAuthenticator } from './admin-authenticator.js';
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

/** What GatewayModule adds for the admin API (kept here so the module file changes by two lines). */
export const ADMIN_CONTROLLERS = [TokensController, MirrorAdminController, AccountsAdminController, RefreshPassesController, AdminOpenApiController, TenantsAdminController, UsersAdminController, KeysAdminController, ModelRoutesAdminController];
export const ADMIN_PROVIDERS = [AdminAuthenticator, AdminGuard, AdminBusClient, AdminKeyVerifier];
