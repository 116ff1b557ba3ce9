import type { AccountStatus } from './account-status.js';
import type { CodexLimits } from './codex-limits.js';
import type { AccountKind, ApiStyle } from './upstream-account.entity.js';

/** An account as the pool holds it in memory: decrypted access token, no refresh secrets. */
export interface PoolAccount {
  id: string;
  tenantId: string;
  email: string | null;
  plan: string | null;
  status: AccountStatus;
  chatgptAccountId: string | null;
  deviceId: string;
  accessToken: string | null;
  accessTokenExpiresAt: number | null;
  /** Whether a refresh or session token is on file, so a refresh can be tried. */
  refreshable: boolean;
  cooldowns: Record<string, number>;
  /** Codex logins: the usage the upstream last reported, and the usage-limit hold (epoch ms) for every model. */
  limits: CodexLimits | null;
  limitedUntil: number | null;
  kind: AccountKind;
  /** An admin's name (API keys), preferred over the email as a label. */
  name: string | null;
  /** API keys only: where and how the key (in `accessToken`) is sent, and which models it serves. */
  platform: { baseUrl: string; apiStyle: ApiStyle; apiVersion: string | null; organization: string | null; models: string[] | null } | null;
}
