import { CreateTenants1763800000000 } from './1763800000000-create-tenants.js';
import { CreateUpstreamAccounts1763810000000 } from './1763810000000-create-upstream-accounts.js';
import { CreateRefreshPasses1763820000000 } from './1763820000000-create-refresh-passes.js';
import { CreateUsersAndKeys1763830000000 } from './1763830000000-create-users-and-keys.js';
import { CreateBootstrapTokens1763840000000 } from './1763840000000-create-bootstrap-tokens.js';
import { AddApiKeyAccounts1763856000000 } from './1763856000000-add-api-key-accounts.js';
import { AddBudgets1763870000000 } from './1763870000000-add-budgets.js';
import { CreateTokenExchanges1763880000000 } from './1763880000000-create-token-exchanges.js';
import { AddCodexAccounts1763890000000 } from './1763890000000-add-codex-accounts.js';
import { AddModelAccess1763900000000 } from './1763900000000-add-model-access.js';
import { CreateAuditLog1763910000000 } from './1763910000000-create-audit-log.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const AUTH_MIGRATIONS = [
  CreateTenants1763800000000, CreateUpstreamAccounts1763810000000, CreateRefreshPasses1763820000000, CreateUsersAndKeys1763830000000, CreateBootstrapTokens1763840000000, AddApiKeyAccounts1763856000000, AddBudgets1763870000000, CreateTokenExchanges1763880000000, AddCodexAccounts1763890000000,
  AddModelAccess1763900000000,
  CreateAuditLog1763910000000,
];
