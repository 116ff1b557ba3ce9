import { Agent, request } from 'undici';
import type { AuthConfig } from '@chatgate/config';
import { codexClaims } from '../accounts/codex-credential.js';
import { UpstreamAuthError } from './chatgpt-auth.client.js';
import { describeReply, errorCodeOf, jsonBodyOf, scrub, str, trimSlash, type Reply } from './auth-reply.js';

/**
 * Codex's OAuth client (reference §2): refresh tokens issued to it are refreshed with its client id
 * at `{CODEX_AUTH_URL}/oauth/token`, single use (the answer carries the successor), and a Codex
 * access token (`at-…`) names its workspace at the whoami endpoint.
 */

const WHOAMI_PATH = '/api/accounts/v1/user-auth-credential/whoami';
/** The refresh failures Codex itself takes as final: a new login is needed (reference §2.3). */
export const CODEX_DEAD_REFRESH_CODES = ['refresh_token_reused', 'refresh_token_expired', 'refresh_token_invalidated'] as const;
/**
 * Errors raised before a request leaves this process (no connection, no TLS session): the upstream
 * never saw the token, so trying again later is safe. Anything else (a timeout or reset once
 * connected) may have reached it.
 */
const NOT_SENT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// Used only when the upstream states no lifetime and the token has no `exp`: renewed soon rather than trusted long.
const FALLBACK_LIFETIME_MS = 3600_000;

export interface CodexRefreshed {
  accessToken: string;
  /** The successor: persist it before the access token is used. Null when none came back (the old one stays). */
  refreshToken: string | null;
  idToken: string | null;
  expiresAt: Date;
}

export interface CodexWhoami {
  accountId: string | null;
  plan: string | null;
  userId: string | null;
  email: string | null;
}

export class CodexAuthClient {
  private readonly agent: Agent;
  private readonly authUrl: string;
  private readonly clientId: string;
  private readonly timeoutMs: number;

  constructor(config: Pick<AuthConfig, 'CODEX_AUTH_URL' | 'CODEX_CLIENT_ID' | 'UPSTREAM_TIMEOUT_MS'>) {
    this.authUrl = trimSlash(config.CODEX_AUTH_URL);
    this.clientId = config.CODEX_CLIENT_ID;
    this.timeoutMs = config.UPSTREAM_TIMEOUT_MS;
    // Connecting gets its own, shorter limit: a request that never connected fails with a connect
    // error (not sent, safe to try again) before the whole exchange's limit can fire.
    const connectMs = Math.max(1, Math.min(10_000, Math.floor(this.timeoutMs / 2)));
    this.agent = new Agent({ connect: { timeout: connectMs }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * One refresh, never retried here. 401 or a code of CODEX_DEAD_REFRESH_CODES (and `invalid_grant`)
   * → `dead_credential`; an answer that never came once the request was sent (or a 2xx without an
   * access token) → `outcome_unknown`; a refusal without using the token (5xx, 429, 403, another 4xx)
   * or a request that never left → `transient`.
   */
  async refresh(refreshToken: string): Promise<CodexRefreshed> {
    const what = 'Codex refresh token';
    const reply = await this.send(what, refreshToken, `${this.authUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: this.clientId, grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    const code = errorCodeOf(reply.body);
    if (reply.status === 401 || (code !== null && (CODEX_DEAD_REFRESH_CODES as readonly string[]).includes(code)) || code === 'invalid_grant') {
      throw new UpstreamAuthError('dead_credential', `${what} refused: ${describeReply(reply, refreshToken)}`, reply.status);
    }
    if (reply.status < 200 || reply.status >= 300) throw new UpstreamAuthError('transient', `${what}: ${describeReply(reply, refreshToken)}`, reply.status);
    const body = reply.body ?? {};
    const accessToken = str(body.access_token);
    // The upstream accepted the refresh (so it rotated the token away) but its answer is unusable.
    if (!accessToken) throw new UpstreamAuthError('outcome_unknown', `${what}: the upstream answered ${reply.status} without an access token`, reply.status);
    const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
    const exp = codexClaims(accessToken)?.exp;
    return {
      accessToken,
      refreshToken: str(body.refresh_token),
      idToken: str(body.id_token),
      expiresAt:
        typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
          ? new Date(Date.now() + expiresIn * 1000)
          : new Date(exp ? exp * 1000 : Date.now() + FALLBACK_LIFETIME_MS),
    };
  }

  /** Who a Codex credential (above all an `at-` access token) belongs to; a 401 means the token is dead. */
  async whoami(accessToken: string): Promise<CodexWhoami> {
    const what = 'Codex access token';
    const reply = await this.send(what, accessToken, `${this.authUrl}${WHOAMI_PATH}`, { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });
    if (reply.status === 401) throw new UpstreamAuthError('dead_credential', `${what} refused: ${describeReply(reply, accessToken)}`, 401);
    if (reply.status < 200 || reply.status >= 300 || !reply.body) throw new UpstreamAuthError('transient', `${what}: ${describeReply(reply, accessToken)}`, reply.status);
    const body = reply.body;
    return { accountId: str(body.chatgpt_account_id), plan: str(body.chatgpt_plan_type), userId: str(body.chatgpt_user_id), email: str(body.email) };
  }

  /** One request on a connection of its own (never a kept-alive socket the server may have closed meanwhile). */
  private async send(what: string, secret: string, url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<Reply> {
    try {
      const res = await request(url, {
        method: init.method,
        headers: { accept: 'application/json', 'user-agent': 'chatgate', ...init.headers },
        body: init.body,
        dispatcher: this.agent,
        reset: true,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await jsonBodyOf(res.body);
      return { status: res.statusCode, body, setCookie: [] };
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
      const code = e.code ?? e.cause?.code;
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      const reason = scrub(timedOut ? `no answer within ${this.timeoutMs} ms` : [code, e.message].filter(Boolean).join(' ') || 'network error', secret);
      if (!timedOut && code !== undefined && NOT_SENT_CODES.has(code)) throw new UpstreamAuthError('transient', `${what}: upstream unreachable (${reason})`);
      throw new UpstreamAuthError('outcome_unknown', `${what}: the request was sent but no answer came back (${reason})`);
    }
  }
}
