// Accounts and every credential the simulator has handed out. Refresh tokens rotate: using one
// removes it, so a gateway that fails to persist the new one loses the account, as upstream.
import { signJwt, type JwtSigner } from './jwt.js';
import {
  newCurrentRefreshToken,
  newLegacyRefreshToken,
  newSessionToken,
  newUserId,
  uuid,
} from './ids.js';
import type { IssueAccountOptions, Plan, SimAccount } from './types.js';

export const ACCESS_TOKEN_TTL_SEC = 864000;

export interface AccountRecord {
  email: string;
  accountId: string;
  userId: string;
  plan: Plan;
  accessToken: string;
  refreshToken: string;
  legacyRefreshToken: string;
  sessionToken: string;
}

export type AuthResult =
  | { ok: true; account: AccountRecord }
  | { ok: false; code: 'invalid_jwt' | 'token_expired' };

export type RefreshKind = 'current' | 'legacy';

interface KnownToken {
  accountId: string;
  exp: number;
}

// Cache bound for tokens verified but not minted by this process (same secret, other run).
const FOREIGN_CACHE_MAX = 10_000;

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

export class AccountStore {
  private readonly byId = new Map<string, AccountRecord>();
  private readonly byEmail = new Map<string, AccountRecord>();
  // Minted access tokens: checking one is a map lookup, not an HMAC + JSON parse per request.
  private readonly accessTokens = new Map<string, KnownToken>();
  private readonly foreignTokens = new Map<string, KnownToken>();
  private readonly refreshTokens = new Map<string, { accountId: string; kind: RefreshKind }>();
  private readonly sessions = new Map<string, string>();
  private counter = 0;

  constructor(
    /** HS256 secret of LiveKit room tokens. */
    private readonly secret: string,
    /** The issuer's RS256 key: access and id tokens. */
    private readonly signer: JwtSigner,
  ) {}

  issue(opts: IssueAccountOptions = {}): AccountRecord {
    const existing =
      (opts.accountId ? this.byId.get(opts.accountId) : undefined) ??
      (opts.email ? this.byEmail.get(opts.email.toLowerCase()) : undefined);
    let account: AccountRecord;
    if (existing) {
      // Issuing again for a known account gives it fresh credentials; the old ones stay valid.
      account = existing;
      if (opts.plan) account.plan = opts.plan;
    } else {
      this.counter += 1;
      const email = opts.email ?? `user${this.counter}.${uuid().slice(0, 8)}@sim.local`;
      account = {
        email,
        accountId: opts.accountId ?? uuid(),
        userId: newUserId(),
        plan: opts.plan ?? 'plus',
        accessToken: '',
        refreshToken: '',
        legacyRefreshToken: '',
        sessionToken: '',
      };
      this.byId.set(account.accountId, account);
      this.byEmail.set(email.toLowerCase(), account);
    }
    account.accessToken = this.mintAccessToken(account, opts.expiresInSec ?? ACCESS_TOKEN_TTL_SEC);
    account.refreshToken = this.addRefreshToken(account, 'current');
    account.legacyRefreshToken = this.addRefreshToken(account, 'legacy');
    account.sessionToken = this.addSession(account);
    return account;
  }

  /** A LiveKit room token for the account (voice chat): a JWT in LiveKit's claim shape, signed with the sim's secret. */
  mintRoomToken(account: AccountRecord, room: string, ttlSec = 600): string {
    const iat = nowSec();
    return signJwt({ iss: 'chatgpt-sim', sub: account.userId, nbf: iat, exp: iat + ttlSec, video: { room, roomJoin: true, canPublish: true, canSubscribe: true } }, this.secret);
  }

  find(accountIdOrEmail: string): AccountRecord | undefined {
    return this.byId.get(accountIdOrEmail) ?? this.byEmail.get(accountIdOrEmail.toLowerCase());
  }

  mintAccessToken(account: AccountRecord, ttlSec: number): string {
    const iat = nowSec();
    const exp = iat + ttlSec;
    const token = this.signer.sign(
      {
        aud: ['https://api.openai.com/v1'],
        client_id: 'app_X8zY6vW2pQ9tR3dE7nK1jL5gH',
        exp,
        'https://api.openai.com/auth': {
          chatgpt_account_id: account.accountId,
          chatgpt_compute_residency: 'no_constraint',
          chatgpt_plan_type: account.plan,
          chatgpt_user_id: account.userId,
          user_id: account.userId,
        },
        'https://api.openai.com/profile': { email: account.email, email_verified: true },
        iat,
        iss: 'https://auth.openai.com',
        // jti keeps two tokens minted in the same second distinct.
        jti: uuid(),
        nbf: iat,
        pwd_auth_time: iat * 1000,
        scp: ['openid', 'profile', 'email', 'offline_access'],
        session_id: `authsess_${account.userId.slice(5)}`,
        sub: `auth0|${account.userId.slice(5)}`,
      },
    );
    this.accessTokens.set(token, { accountId: account.accountId, exp });
    return token;
  }

  mintIdToken(account: AccountRecord, clientId: string): string {
    const iat = nowSec();
    return this.signer.sign(
      {
        aud: [clientId],
        email: account.email,
        email_verified: true,
        exp: iat + 3600,
        'https://api.openai.com/auth': {
          chatgpt_account_id: account.accountId,
          chatgpt_plan_type: account.plan,
          chatgpt_user_id: account.userId,
          user_id: account.userId,
        },
        iat,
        iss: 'https://auth.openai.com',
        sub: `auth0|${account.userId.slice(5)}`,
      },
    );
  }

  authenticate(token: string): AuthResult {
    const known = this.accessTokens.get(token) ?? this.foreignTokens.get(token) ?? this.verifyForeign(token);
    if (!known) return { ok: false, code: 'invalid_jwt' };
    const account = this.byId.get(known.accountId);
    if (!account) return { ok: false, code: 'invalid_jwt' };
    if (known.exp <= nowSec()) return { ok: false, code: 'token_expired' };
    return { ok: true, account };
  }

  // A token signed with our key but not in the map (e.g. a sim restarted with a fixed key):
  // valid only if it names an account this sim knows.
  private verifyForeign(token: string): KnownToken | undefined {
    const check = this.signer.verify(token);
    if (!check.ok) return undefined;
    const auth = check.claims['https://api.openai.com/auth'] as { chatgpt_account_id?: unknown } | undefined;
    const accountId = auth?.chatgpt_account_id;
    const exp = check.claims.exp;
    if (typeof accountId !== 'string' || typeof exp !== 'number' || !this.byId.has(accountId)) return undefined;
    const known = { accountId, exp };
    if (this.foreignTokens.size >= FOREIGN_CACHE_MAX) this.foreignTokens.clear();
    this.foreignTokens.set(token, known);
    return known;
  }

  refreshTokenOwner(token: string): AccountRecord | undefined {
    const entry = this.refreshTokens.get(token);
    return entry ? this.byId.get(entry.accountId) : undefined;
  }

  sessionOwner(token: string): AccountRecord | undefined {
    const accountId = this.sessions.get(token);
    return accountId ? this.byId.get(accountId) : undefined;
  }

  /** Uses a refresh token up: returns its account and a rotated replacement, or undefined if unknown. */
  rotateRefreshToken(token: string): { account: AccountRecord; kind: RefreshKind; next: string } | undefined {
    const entry = this.refreshTokens.get(token);
    if (!entry) return undefined;
    const account = this.byId.get(entry.accountId);
    if (!account) return undefined;
    this.refreshTokens.delete(token);
    const next = this.addRefreshToken(account, entry.kind);
    if (entry.kind === 'current') account.refreshToken = next;
    else account.legacyRefreshToken = next;
    return { account, kind: entry.kind, next };
  }

  /** Reads a session and rotates its cookie. The old token stays valid, as next-auth JWE sessions do. */
  useSession(token: string): { account: AccountRecord; next: string } | undefined {
    const account = this.sessionOwner(token);
    if (!account) return undefined;
    const next = this.addSession(account);
    account.sessionToken = next;
    return { account, next };
  }

  private addRefreshToken(account: AccountRecord, kind: RefreshKind): string {
    const token = kind === 'current' ? newCurrentRefreshToken() : newLegacyRefreshToken();
    this.refreshTokens.set(token, { accountId: account.accountId, kind });
    return token;
  }

  private addSession(account: AccountRecord): string {
    const token = newSessionToken();
    this.sessions.set(token, account.accountId);
    return token;
  }
}

export function toSimAccount(account: AccountRecord): SimAccount {
  return {
    email: account.email,
    accountId: account.accountId,
    userId: account.userId,
    plan: account.plan,
    accessToken: account.accessToken,
    refreshToken: account.refreshToken,
    legacyRefreshToken: account.legacyRefreshToken,
    sessionToken: account.sessionToken,
  };
}
