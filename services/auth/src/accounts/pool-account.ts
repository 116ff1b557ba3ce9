import type { AccountStatus } from './account-status.js';

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
}
