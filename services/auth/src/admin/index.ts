import { CredentialRevocations } from '../keys/credential-revocations.js';
import { KeysService } from '../keys/keys.service.js';
import { MirrorTokensService } from '../keys/mirror-tokens.service.js';
import { TenantsAdminService } from '../tenants/tenants-admin.service.js';
import { UsersService } from '../users/users.service.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminAccountsStore } from './admin-accounts.store.js';
import { AdminRefreshService } from './admin-refresh.service.js';
import { AdminRunner } from './admin-runner.js';
import { AdminController } from './admin.controller.js';
import { AdminTenancy } from './admin-tenancy.js';
import { TenancyController } from './tenancy.controller.js';
import { ModelRoutesAdminController } from './model-routes.controller.js';
import { AuditController } from './audit.controller.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuditTrail } from '../audit/audit-trail.js';

/** What AuthModule adds for the admin API (kept here so the module file changes by two lines). */
export const ADMIN_CONTROLLERS = [AdminController, TenancyController, ModelRoutesAdminController, AuditController];
export const ADMIN_PROVIDERS = [
  AuditTrail,
  AuditLogService,
  AdminTenancy,
  AdminRunner,
  AdminAccountsStore,
  AdminAccountsService,
  AdminRefreshService,
  CredentialRevocations,
  TenantsAdminService,
  UsersService,
  KeysService,
  MirrorTokensService,
];
