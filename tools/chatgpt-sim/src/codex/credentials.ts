// Codex's OAuth client (reference §2): logins as token families. A login mints an id_token, an
// access token and a refresh token; each refresh uses the refresh token up and answers a new one.
// Presenting a used one again is reuse: the whole family dies (every refresh and access token of
// that login), as the auth server's reuse detection does; the user must sign in again. Business /
// Enterprise Codex access tokens (`at-…`) are kept here too, with the identity whoami answers.
import type { JwtSigner } from '../jwt.js';
import { newCurrentRefreshToken, randomB64url, uuid } from '../ids.js';
import type { AccountRecord, AccountStore } from '../accounts.js';

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const CODEX_ACCESS_TOKEN_TTL_SEC = 864000;

export type RefreshFailure = 'reused' | 'expired' | 'invalidated';
/** Why a family died: a refresh failure, or the operator revoked it. */
export type FamilyDeath = RefreshFailure | 'revoked';

interface Family {
  id: string;
  accountId: string;
  clientId: string;
  /** null while the login is alive. */
  diedOf: FamilyDeath | null;
  current: string;
}

interface AccessEntry {
  accountId: string;
  exp: number;
  /** The login it belongs to; null for an `at-` token (its own entry). */
  familyId: string | null;
  revoked: boolean;
}

export interface CodexTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

export type RefreshResult =
  | { ok: true; account: AccountRecord; tokens: CodexTokens; expiresIn: number }
  | { ok: false; account: AccountRecord; failure: RefreshFailure }
  | { ok: false; account: AccountRecord; failure: 'wrong_client' | 'missing_client' };

export type CodexAuth =
  | { ok: true; account: AccountRecord; kind: 'login' | 'access_token' }
  | { ok: false; code: 'invalid_jwt' | 'token_expired' | 'token_invalidated' };

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

export class CodexCredentials {
  private readonly families = new Map<string, Family>();
  /** Every refresh token ever issued to the Codex client, used or not (reuse must be recognised). */
  private readonly refreshTokens = new Map<string, { familyId: string; used: boolean }>();
  private readonly accessTokens = new Map<string, AccessEntry>();
  /** Outcomes forced on an account's next refreshes, in order. */
  private readonly forced = new Map<string, RefreshFailure[]>();
  /** Lifetime of the access tokens refreshes mint (the reference: trust `exp`; reports vary). */
  accessTokenTtlSec = CODEX_ACCESS_TOKEN_TTL_SEC;

  constructor(
    /** The issuer's RS256 key, the same as the web tokens': one auth server. */
    private readonly signer: JwtSigner,
    private readonly accounts: AccountStore,
  ) {}

  /** A new `codex login` for the account: a family of its own. */
  login(account: AccountRecord, accessTtlSec = this.accessTokenTtlSec, clientId = CODEX_CLIENT_ID): CodexTokens {
    const family: Family = { id: uuid(), accountId: account.accountId, clientId, diedOf: null, current: '' };
    this.families.set(family.id, family);
    return this.mint(family, account, accessTtlSec);
  }

  /** A Codex access token (`at-…`), as a workspace admin creates one. */
  issueAccessToken(account: AccountRecord, ttlSec = 30 * 86400): string {
    const token = `at-${randomB64url(48)}`;
    this.accessTokens.set(token, { accountId: account.accountId, exp: nowSec() + ttlSec, familyId: null, revoked: false });
    return token;
  }

  /** Whether `token` is a refresh token this client issued (used or not). */
  knowsRefreshToken(token: string): boolean {
    return this.refreshTokens.has(token);
  }

  ownerOfRefreshToken(token: string): AccountRecord | undefined {
    const entry = this.refreshTokens.get(token);
    const family = entry ? this.families.get(entry.familyId) : undefined;
    return family ? this.accounts.find(family.accountId) : undefined;
  }

  forceNextRefresh(accountId: string, outcomes: RefreshFailure[]): void {
    if (outcomes.length === 0) this.forced.delete(accountId);
    else this.forced.set(accountId, [...outcomes]);
  }

  pendingForced(accountId: string): RefreshFailure[] {
    return [...(this.forced.get(accountId) ?? [])];
  }

  clearForced(): void {
    this.forced.clear();
  }

  /**
   * One refresh as the auth server answers it. A token of another client, or no client id, is
   * refused without using it up; reuse kills the family; a forced failure uses the token and kills
   * the family too (expired and revoked tokens cannot be refreshed again).
   */
  refresh(token: string, clientId: string | undefined, crossClient: boolean): RefreshResult | undefined {
    const entry = this.refreshTokens.get(token);
    const family = entry ? this.families.get(entry.familyId) : undefined;
    const account = family ? this.accounts.find(family.accountId) : undefined;
    if (!entry || !family || !account) return undefined;
    if (!clientId) return { ok: false, account, failure: 'missing_client' };
    if (clientId !== family.clientId && !crossClient) return { ok: false, account, failure: 'wrong_client' };
    if (entry.used) {
      if (!family.diedOf) this.kill(family, 'reused');
      return { ok: false, account, failure: 'reused' };
    }
    // The family's other tokens: an expired login stays expired; anything else was invalidated.
    if (family.diedOf) return { ok: false, account, failure: family.diedOf === 'expired' ? 'expired' : 'invalidated' };
    entry.used = true;
    const queue = this.forced.get(account.accountId);
    const forced = queue?.shift();
    if (queue && queue.length === 0) this.forced.delete(account.accountId);
    if (forced) {
      this.kill(family, forced);
      return { ok: false, account, failure: forced };
    }
    return { ok: true, account, tokens: this.mint(family, account, this.accessTokenTtlSec), expiresIn: this.accessTokenTtlSec };
  }

  /** Kills every live login of the account (and revokes its `at-` tokens): the operator's "invalidate". */
  revokeAccount(accountId: string): number {
    let killed = 0;
    for (const family of this.families.values()) {
      if (family.accountId === accountId && !family.diedOf) {
        this.kill(family, 'revoked');
        killed += 1;
      }
    }
    for (const entry of this.accessTokens.values()) if (entry.accountId === accountId && entry.familyId === null) entry.revoked = true;
    return killed;
  }

  /** Live and dead logins of an account, newest last. */
  familiesOf(accountId: string): Array<{ alive: boolean; diedOf: FamilyDeath | null; clientId: string }> {
    return [...this.families.values()].filter((f) => f.accountId === accountId).map((f) => ({ alive: f.diedOf === null, diedOf: f.diedOf, clientId: f.clientId }));
  }

  authenticate(token: string): CodexAuth | undefined {
    const entry = this.accessTokens.get(token);
    if (!entry) return undefined;
    const account = this.accounts.find(entry.accountId);
    if (!account) return { ok: false, code: 'invalid_jwt' };
    const family = entry.familyId ? this.families.get(entry.familyId) : undefined;
    if (entry.revoked || family?.diedOf) return { ok: false, code: 'token_invalidated' };
    if (entry.exp <= nowSec()) return { ok: false, code: 'token_expired' };
    return { ok: true, account, kind: entry.familyId ? 'login' : 'access_token' };
  }

  private kill(family: Family, reason: FamilyDeath): void {
    family.diedOf = reason;
    for (const entry of this.accessTokens.values()) if (entry.familyId === family.id) entry.revoked = true;
  }

  private mint(family: Family, account: AccountRecord, accessTtlSec: number): CodexTokens {
    const refreshToken = newCurrentRefreshToken();
    this.refreshTokens.set(refreshToken, { familyId: family.id, used: false });
    family.current = refreshToken;
    const accessToken = this.accessToken(account, family, accessTtlSec);
    return { idToken: this.idToken(account, family.clientId), accessToken, refreshToken };
  }

  private authClaim(account: AccountRecord): Record<string, unknown> {
    return {
      chatgpt_account_id: account.accountId,
      chatgpt_account_user_id: `${account.userId}__${account.accountId}`,
      chatgpt_compute_residency: 'no_constraint',
      chatgpt_plan_type: account.plan,
      chatgpt_user_id: account.userId,
      user_id: account.userId,
    };
  }

  private accessToken(account: AccountRecord, family: Family, ttlSec: number): string {
    const iat = nowSec();
    const exp = iat + ttlSec;
    const token = this.signer.sign(
      {
        aud: ['https://api.openai.com/v1'],
        client_id: family.clientId,
        exp,
        'https://api.openai.com/auth': this.authClaim(account),
        'https://api.openai.com/profile': { email: account.email, email_verified: true },
        iat,
        iss: 'https://auth.openai.com',
        jti: uuid(),
        nbf: iat,
        pwd_auth_time: iat * 1000,
        scp: ['openid', 'profile', 'email', 'offline_access', 'api.connectors.read', 'api.connectors.invoke'],
        session_id: `authsess_${family.id.replace(/-/g, '')}`,
        sub: `auth0|${account.userId.slice(5)}`,
      },
    );
    this.accessTokens.set(token, { accountId: account.accountId, exp, familyId: family.id, revoked: false });
    return token;
  }

  private idToken(account: AccountRecord, clientId: string): string {
    const iat = nowSec();
    return this.signer.sign(
      {
        aud: [clientId],
        auth_provider: 'password',
        email: account.email,
        email_verified: true,
        exp: iat + 3600,
        'https://api.openai.com/auth': {
          ...this.authClaim(account),
          organizations: [{ id: `org-${account.userId.slice(5)}`, is_default: true, role: 'owner', title: 'Personal' }],
        },
        iat,
        iss: 'https://auth.openai.com',
        jti: uuid(),
        rat: iat,
        sid: uuid(),
        sub: `auth0|${account.userId.slice(5)}`,
      },
    );
  }
}
