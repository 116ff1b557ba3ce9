import { PlatformAddressPolicy } from './platform-address.policy.js';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import type { ApiKeyAccountInput } from '@chatgate/contracts';
import { classifyToken, decodeAccessToken, splitWorkspace } from '../credentials/token-kind.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { ChatGptAuthClient, UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { AccountError } from './account-error.js';
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
    private readonly pool: AccountPoolService,
    private readonly uow: UnitOfWork,
    private readonly addresses: PlatformAddressPolicy,
  ) {}

  async enter(tenantId: string, raw: string): Promise<EnteredResult> {
    const inspected = await this.inspect(raw);
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
  async inspect(raw: string): Promise<InspectedToken> {
    this.uow.assertNoTransaction('entering a token (upstream calls)');
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
