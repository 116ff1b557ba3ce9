import { PlatformAddressPolicy } from './platform-address.policy.js';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import type { AccountEntryKind, ApiKeyAccountInput } from '@chatgate/contracts';
import { classifyToken, decodeAccessToken, splitWorkspace } from '../credentials/token-kind.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { ChatGptAuthClient, UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { CodexAuthClient } from '../upstream/codex-auth.client.js';
import { AccountError } from './account-error.js';
import { codexClaims, codexCredentialOf, CodexCredentialRefused, mergedClaims, type CodexCredential } from './codex-credential.js';
import { TokenExchangesRepository, type ExchangedToken } from './token-exchanges.repository.js';
import { UpstreamAccountsRepository, type EnteredAccount, type EnteredApiKey } from './upstream-accounts.repository.js';

export interface EnteredResult {
  accountId: string;
  created: boolean;
  email: string | null;
  plan: string | null;
  chatgptAccountId: string | null;
  /** The kind of token that was entered (never the token). */
  tokenKind: string;
}

/** What the upstream said about a token: the account it belongs to, ready to store in any tenant. */
export interface InspectedToken {
  tokenKind: string;
  account: Omit<EnteredAccount, 'tenantId'>;
  /** sha256 of an exchanged token: its successor waits in token_exchanges until the account is stored. */
  exchanged: string | null;
}

/** A validated API-key input as the repository stores it. */
export function apiKeyEntry(tenantId: string, input: ApiKeyAccountInput): EnteredApiKey {
  return {
    tenantId,
    key: input.key,
    baseUrl: input.base_url,
    apiStyle: input.api_style,
    apiVersion: input.api_version ?? null,
    organization: input.organization ?? null,
    models: input.models ?? null,
    name: input.name ?? null,
  };
}

/** An exchanged access token this close to its expiry is not reused: the successor is exchanged again. */
const REUSE_MARGIN_MS = 5 * 60_000;
const SAVE_ATTEMPTS = 3;

const fingerprintOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A JWT's expiry from its `exp`, or null when it states none. */
function expiryOfJwt(jwt: string): Date | null {
  const exp = codexClaims(jwt)?.exp;
  return exp ? new Date(exp * 1000) : null;
}

/**
 * Entering a token of any kind: classify it, exchange it for an access token when needed, read
 * who it belongs to, and store or update that account (keyed by login and workspace, so entering
 * the same account twice updates one row).
 *
 * A refresh or session token is rotated away by the exchange: the successor is written (sealed)
 * the moment the upstream answers, before `me` and `accounts/check` are asked, and removed in the
 * transaction that stores the account. Should anything in between fail, entering the same token
 * again continues from that successor rather than presenting the spent token.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: UpstreamAccountsRepository,
    private readonly exchanges: TokenExchangesRepository,
    private readonly upstream: ChatGptAuthClient,
    private readonly codex: CodexAuthClient,
    private readonly pool: AccountPoolService,
    private readonly uow: UnitOfWork,
    private readonly addresses: PlatformAddressPolicy,
  ) {}

  /** @param kind what a bare token is (a Codex login's refresh token looks like a web one); auth files and `at-` tokens are Codex anyway. */
  async enter(tenantId: string, raw: string, kind: AccountEntryKind = 'chatgpt'): Promise<EnteredResult> {
    const inspected = await this.inspect(raw, kind);
    const saved = await this.store(tenantId, inspected);
    const { email, plan, chatgptAccountId } = inspected.account;
    return { accountId: saved.id, created: saved.created, email, plan, chatgptAccountId, tokenKind: inspected.tokenKind };
  }

  /** Stores an inspected token's account (inside the caller's transaction when one is open); the pool hears of it after commit. */
  async store(tenantId: string, inspected: InspectedToken): Promise<{ id: string; created: boolean }> {
    return this.uow.run(async () => {
      const saved = await this.accounts.upsert({ tenantId, ...inspected.account });
      if (inspected.exchanged) await this.exchanges.forget(inspected.exchanged);
      this.pool.announceChanged(tenantId, [saved.id]);
      return saved;
    });
  }

  /**
   * An API key is stored as given, without asking the upstream: a key is checked on first use,
   * where a 401 disables it (an OpenAI-compatible server may not even serve /models).
   */
  async enterApiKey(tenantId: string, input: ApiKeyAccountInput): Promise<{ accountId: string; created: boolean }> {
    await this.addresses.check(input.base_url);
    return this.uow.run(async () => {
      const saved = await this.accounts.upsertApiKey(apiKeyEntry(tenantId, input));
      this.pool.announceChanged(tenantId, [saved.id]);
      return { accountId: saved.id, created: saved.created };
    });
  }

  /**
   * The upstream half of entering a token, with nothing stored but an exchanged token's
   * successor: the declarative bootstrap makes every upstream call first and stores the accounts
   * inside its own transaction. Never inside a transaction (the upstream may take seconds).
   */
  async inspect(raw: string, entryKind: AccountEntryKind = 'chatgpt'): Promise<InspectedToken> {
    this.uow.assertNoTransaction('entering a token (upstream calls)');
    let codex: CodexCredential | null;
    try {
      codex = codexCredentialOf(raw, entryKind);
    } catch (err) {
      if (err instanceof CodexCredentialRefused) throw new AccountError('invalid_token', err.message);
      throw err;
    }
    if (codex) return this.inspectCodex(codex);
    const { token, accountId: workspace } = splitWorkspace(raw.trim());
    const kind = classifyToken(token);
    let accessToken: string;
    let expiresAt: Date | null = null;
    let refreshToken: string | null = null;
    let sessionToken: string | null = null;
    let exchanged: string | null = null;
    try {
      switch (kind) {
        case 'access_token':
          accessToken = token;
          break;
        case 'refresh_token':
        case 'refresh_token_legacy':
        case 'session_token': {
          const result = await this.exchange(token, kind === 'session_token' ? 'session' : 'refresh');
          ({ accessToken, accessTokenExpiresAt: expiresAt } = result);
          if (result.kind === 'session') sessionToken = result.successor;
          else refreshToken = result.successor;
          exchanged = fingerprintOf(token);
          break;
        }
        default:
          throw new AccountError('invalid_token', `${maskSecret(token)} is not a ChatGPT access, refresh or session token`);
      }
      const claims = decodeAccessToken(accessToken);
      if (!expiresAt && claims?.exp) expiresAt = new Date(claims.exp * 1000);
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AccountError('invalid_token', `the access token ${maskSecret(token)} has expired`);
      const me = await this.upstream.me(accessToken);
      const workspaces = await this.upstream.accountsCheck(accessToken);
      const chosen = workspace ?? claims?.accountId ?? workspaces.find((w) => w.structure === 'personal')?.accountId ?? null;
      const plan = workspaces.find((w) => w.accountId === chosen)?.plan ?? claims?.plan ?? null;
      const email = me.email ?? claims?.email ?? null;
      return {
        tokenKind: kind,
        exchanged,
        account: {
          email,
          chatgptAccountId: chosen,
          chatgptUserId: claims?.userId ?? me.id ?? null,
          plan,
          workspaces: workspaces.map((w) => ({ id: w.accountId, plan: w.plan, structure: w.structure })),
          accessToken,
          accessTokenExpiresAt: expiresAt,
          refreshToken,
          sessionToken,
        },
      };
    } catch (err) {
      if (err instanceof AccountError) throw err;
      if (err instanceof UpstreamAuthError) {
        const dead = err.kind === 'dead_credential';
        const message = dead ? `the upstream refused ${maskSecret(token)}: ${err.message}` : `the upstream could not be reached to check ${maskSecret(token)}: ${err.message}`;
        throw new AccountError(dead ? 'invalid_token' : 'upstream_unavailable', message.split(token).join(maskSecret(token)));
      }
      throw err;
    }
  }

  /**
   * A Codex login: who it is comes from its tokens' claims (or, for an `at-` token, the whoami
   * endpoint); no upstream call is made for a login whose access token is still fresh, so entering
   * one never spends its refresh token. Only a refresh token alone, or an auth file whose access
   * token has expired, is exchanged (with Codex's client id; the successor stored at once).
   */
  private async inspectCodex(credential: CodexCredential): Promise<InspectedToken> {
    const secret = credential.form === 'refresh_token' ? credential.refreshToken : credential.form === 'auth_file' ? (credential.refreshToken ?? credential.accessToken ?? '') : credential.accessToken;
    try {
      let accessToken: string | null = credential.form === 'refresh_token' ? null : credential.accessToken;
      let refreshToken: string | null = credential.form === 'refresh_token' || credential.form === 'auth_file' ? credential.refreshToken : null;
      let idToken: string | null = credential.form === 'auth_file' ? credential.idToken : null;
      let exchanged: string | null = null;
      let expiresAt: Date | null = accessToken ? expiryOfJwt(accessToken) : null;
      const stale = accessToken !== null && expiresAt !== null && expiresAt.getTime() - Date.now() <= REUSE_MARGIN_MS;
      if ((accessToken === null || stale) && refreshToken) {
        const result = await this.exchangeCodex(refreshToken);
        ({ accessToken, accessTokenExpiresAt: expiresAt } = result);
        idToken = result.idToken ?? idToken;
        refreshToken = result.successor;
        exchanged = fingerprintOf(result.entered);
      }
      if (!accessToken) throw new AccountError('invalid_token', 'the Codex login has no access token and no refresh token');
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AccountError('invalid_token', `the Codex access token ${maskSecret(accessToken)} has expired and there is no refresh token to renew it`);
      let claims = mergedClaims(idToken, accessToken);
      if (credential.form === 'workspace_token') {
        const who = await this.codex.whoami(accessToken);
        claims = { exp: null, email: who.email, accountId: who.accountId, userId: who.userId, plan: who.plan };
      }
      const accountId = (credential.form === 'auth_file' ? credential.accountId : null) ?? claims.accountId;
      if (!accountId) throw new AccountError('invalid_token', 'the Codex credential names no ChatGPT account id (tokens.account_id or the chatgpt_account_id claim)');
      return {
        tokenKind: credential.form === 'workspace_token' ? 'codex_access_token' : `codex_${credential.form}`,
        exchanged,
        account: {
          kind: 'codex',
          email: claims.email,
          chatgptAccountId: accountId,
          chatgptUserId: claims.userId,
          plan: claims.plan,
          workspaces: [],
          accessToken,
          accessTokenExpiresAt: expiresAt,
          refreshToken,
          sessionToken: null,
        },
      };
    } catch (err) {
      if (err instanceof AccountError) throw err;
      if (err instanceof UpstreamAuthError) {
        const message =
          err.kind === 'dead_credential'
            ? `the upstream refused the Codex credential ${maskSecret(secret)}: ${err.message}; sign in again (codex login) and enter the new auth file`
            : err.kind === 'outcome_unknown'
              ? `the Codex refresh of ${maskSecret(secret)} got no answer (${err.message}); the upstream may have spent it: if entering it again fails, sign in again (codex login)`
              : `the upstream could not be reached to check the Codex credential ${maskSecret(secret)}: ${err.message}`;
        throw new AccountError(err.kind === 'dead_credential' ? 'invalid_token' : 'upstream_unavailable', message.split(secret).join(maskSecret(secret)));
      }
      throw err;
    }
  }

  /** As `exchange`, for a refresh token of Codex's client (refreshed with its client id, never the web one's). */
  private async exchangeCodex(token: string): Promise<ExchangedToken & { idToken: string | null; entered: string }> {
    const fingerprint = fingerprintOf(token);
    const earlier = await this.exchanges.find(fingerprint);
    if (earlier && earlier.kind === 'codex_refresh' && earlier.accessTokenExpiresAt.getTime() - Date.now() > REUSE_MARGIN_MS) return { ...earlier, idToken: null, entered: token };
    const presented = earlier?.kind === 'codex_refresh' ? earlier.successor : token;
    const r = await this.codex.refresh(presented);
    const result: ExchangedToken = { kind: 'codex_refresh', accessToken: r.accessToken, accessTokenExpiresAt: r.expiresAt, successor: r.refreshToken ?? presented };
    await this.saveExchange(fingerprint, result);
    return { ...result, idToken: r.idToken, entered: token };
  }

  /**
   * An exchange that continues from where the last one of this token got to: its stored access
   * token while still fresh (no upstream call at all), else its successor. The answer is stored
   * before anything else is asked.
   */
  private async exchange(token: string, kind: 'refresh' | 'session'): Promise<ExchangedToken> {
    const fingerprint = fingerprintOf(token);
    const earlier = await this.exchanges.find(fingerprint);
    if (earlier && earlier.kind === kind && earlier.accessTokenExpiresAt.getTime() - Date.now() > REUSE_MARGIN_MS) return earlier;
    const presented = earlier?.kind === kind ? earlier.successor : token;
    let result: ExchangedToken;
    if (kind === 'refresh') {
      const r = await this.upstream.refresh(presented);
      result = { kind, accessToken: r.accessToken, accessTokenExpiresAt: r.expiresAt, successor: r.refreshToken ?? presented };
    } else {
      const s = await this.upstream.exchangeSession(presented);
      result = { kind, accessToken: s.accessToken, accessTokenExpiresAt: s.expiresAt, successor: s.sessionToken ?? presented };
    }
    await this.saveExchange(fingerprint, result);
    return result;
  }

  private async saveExchange(fingerprint: string, result: ExchangedToken): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.exchanges.save(fingerprint, result);
        return;
      } catch (err) {
        if (attempt >= SAVE_ATTEMPTS) throw err;
        await sleep(200 * attempt);
      }
    }
  }
}
