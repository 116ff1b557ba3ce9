import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminAccountsStore } from './admin-accounts.store.js';
import { AdminRefreshService } from './admin-refresh.service.js';
import { AdminController } from './admin.controller.js';
import { AdminTenancy } from './admin-tenancy.js';

/** What AuthModule adds for the admin API (kept here so the module file changes by two lines). */
export const ADMIN_CONTROLLERS = [AdminController];
export const ADMIN_PROVIDERS = [AdminTenancy, AdminAccountsStore, AdminAccountsService, AdminRefreshService];
