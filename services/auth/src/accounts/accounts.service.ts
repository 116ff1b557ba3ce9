import { Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import { classifyToken, decodeAccessToken, splitWorkspace } from '../credentials/token-kind.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { ChatGptAuthClient, UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { UpstreamAccountsRepository, type EnteredAccount, type EnteredApiKey } from './upstream-accounts.repository.js';
import type { ApiKeyAccountInput } from '@chatgate/contracts';

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

/** Why a token could not be entered, in words an admin can act on; never contains the token. */
export class EnterTokenError extends Error {
  /** `transient`: the upstream could not be reached, so the same token may work later. */
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

/**
 * Entering a token of any kind: classify it, exchange it for an access token when needed, read
 * who it belongs to, and store or update that account (keyed by login and workspace, so entering
 * the same account twice updates one row).
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: UpstreamAccountsRepository,
    private readonly upstream: ChatGptAuthClient,
    private readonly pool: AccountPoolService,
  ) {}

  async enter(tenantId: string, raw: string): Promise<EnteredResult> {
    const inspected = await this.inspect(raw);
    const saved = await this.accounts.upsert({ tenantId, ...inspected.account });
    this.pool.announceChanged(tenantId, [saved.id]);
    const { email, plan, chatgptAccountId } = inspected.account;
    return { accountId: saved.id, created: saved.created, email, plan, chatgptAccountId, tokenKind: inspected.tokenKind };
  }

  /**
   * An API key is stored as given, without asking the upstream: a key is checked on first use,
   * where a 401 disables it (an OpenAI-compatible server may not even serve /models).
   */
  async enterApiKey(tenantId: string, input: ApiKeyAccountInput): Promise<{ accountId: string; created: boolean }> {
    const saved = await this.accounts.upsertApiKey(apiKeyEntry(tenantId, input));
    this.pool.announceChanged(tenantId, [saved.id]);
    return { accountId: saved.id, created: saved.created };
  }

  /**
   * The upstream half of entering a token, with nothing stored: the declarative bootstrap makes
   * every upstream call first and stores the accounts inside its own transaction.
   */
  async inspect(raw: string): Promise<InspectedToken> {
    const { token, accountId: workspace } = splitWorkspace(raw.trim());
    const kind = classifyToken(token);
    let accessToken: string;
    let expiresAt: Date | null = null;
    let refreshToken: string | null = null;
    let sessionToken: string | null = null;
    try {
      switch (kind) {
        case 'access_token':
          accessToken = token;
          break;
        case 'refresh_token':
        case 'refresh_token_legacy': {
          const r = await this.upstream.refresh(token);
          ({ accessToken, expiresAt } = r);
          refreshToken = r.refreshToken ?? token;
          break;
        }
        case 'session_token': {
          const s = await this.upstream.exchangeSession(token);
          ({ accessToken, expiresAt } = s);
          sessionToken = s.sessionToken ?? token;
          break;
        }
        default:
          throw new EnterTokenError(`${maskSecret(token)} is not a ChatGPT access, refresh or session token`);
      }
      const claims = decodeAccessToken(accessToken);
      if (!expiresAt && claims?.exp) expiresAt = new Date(claims.exp * 1000);
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new EnterTokenError(`the access token ${maskSecret(token)} has expired`);
      const me = await this.upstream.me(accessToken);
      const workspaces = await this.upstream.accountsCheck(accessToken);
      const chosen = workspace ?? claims?.accountId ?? workspaces.find((w) => w.structure === 'personal')?.accountId ?? null;
      const plan = workspaces.find((w) => w.accountId === chosen)?.plan ?? claims?.plan ?? null;
      const email = me.email ?? claims?.email ?? null;
      return {
        tokenKind: kind,
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
      if (err instanceof EnterTokenError) throw err;
      if (err instanceof UpstreamAuthError) {
        const dead = err.kind === 'dead_credential';
        throw new EnterTokenError(dead ? `the upstream refused ${maskSecret(token)}: ${err.message}` : `the upstream could not be reached to check ${maskSecret(token)}: ${err.message}`, !dead);
      }
      throw err;
    }
  }
}
