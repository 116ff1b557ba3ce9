import { CreateTenants1763800000000 } from './1763800000000-create-tenants.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const AUTH_MIGRATIONS = [CreateTenants1763800000000];
