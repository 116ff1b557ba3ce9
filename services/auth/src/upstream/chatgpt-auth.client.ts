import { Agent, request } from 'undici';
import type { AuthConfig } from '@chatgate/config';
import { decodeAccessToken } from '../credentials/token-kind.js';
import { describeReply, jsonBodyOf, obj, scrub, str, trimSlash, type Json, type Reply } from './auth-reply.js';

/**
 * The upstream's credential endpoints (reference §1): refresh tokens and session cookies become
 * access tokens, and an access token tells which login and workspaces it belongs to.
 */

const CURRENT_CLIENT_ID = 'app_LlGpXReQgckcGGUo2JrYvtJK';
const LEGACY_CLIENT_ID = 'pdlLIX2Y72MIl2rhLhTE9VV9bN905kBh';
const REDIRECT_URI = 'com.openai.chat://auth0.openai.com/ios/com.openai.chat/callback';
const SESSION_COOKIE = '__Secure-next-auth.session-token';
const ACCOUNTS_CHECK_PATH = '/backend-api/accounts/check/v4-2023-04-27';
// Used only when the upstream states no lifetime at all: short, so the token is renewed soon rather than trusted long.
const FALLBACK_LIFETIME_MS = 3600_000;

export type UpstreamAuthErrorKind = 'dead_credential' | 'transient' | 'outcome_unknown';

/**
 * `dead_credential`: the credential will never work again; the account needs a new token.
 * `transient`: try again later (the upstream never took the request, or refused it without using
 * the credential). `outcome_unknown`: the request reached the upstream but no answer came back, so
 * a single-use credential may have been spent (Codex logins: never presented again on its own).
 * Messages never hold a token.
 */
export class UpstreamAuthError extends Error {
  constructor(
    readonly kind: UpstreamAuthErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamAuthError';
  }
}

export interface RefreshResult {
  accessToken: string;
  /** The rotated refresh token (persist it before using the access token), or null when none came back. */
  refreshToken: string | null;
  expiresAt: Date;
}

export interface SessionResult {
  accessToken: string;
  expiresAt: Date;
  /** The rotated session cookie, which replaces the stored one, or null when none came back. */
  sessionToken: string | null;
  email: string | null;
  accountId: string | null;
  plan: string | null;
}

export interface UpstreamMe {
  id: string;
  email: string | null;
  name: string | null;
}

export interface UpstreamWorkspace {
  accountId: string;
  plan: string | null;
  structure: 'personal' | 'workspace';
  deactivated: boolean;
}


export class ChatGptAuthClient {
  private readonly agent: Agent;
  private readonly baseUrl: string;
  private readonly authUrl: string;
  private readonly auth0Url: string;
  private readonly timeoutMs: number;
  /** Extra headers on every upstream call: `authkey` for private upstream gateways (AUTH_KEY). */
  private readonly extraHeaders: Record<string, string>;

  constructor(config: Pick<AuthConfig, 'CHATGPT_BASE_URL' | 'CHATGPT_AUTH_URL' | 'CHATGPT_AUTH0_URL' | 'UPSTREAM_TIMEOUT_MS' | 'AUTH_KEY'>) {
    this.extraHeaders = config.AUTH_KEY ? { authkey: config.AUTH_KEY } : {};
    // A comma-separated base list names interchangeable hosts; account calls are rare, the first one does.
    this.baseUrl = trimSlash(config.CHATGPT_BASE_URL.split(',')[0] ?? '');
    this.authUrl = trimSlash(config.CHATGPT_AUTH_URL);
    this.auth0Url = trimSlash(config.CHATGPT_AUTH0_URL);
    this.timeoutMs = config.UPSTREAM_TIMEOUT_MS;
    this.agent = new Agent({
      connect: { timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async refresh(refreshToken: string): Promise<RefreshResult> {
    const current = refreshToken.startsWith('rt_');
    if (!current && (refreshToken.length !== 45 || refreshToken.includes('.'))) {
      throw new UpstreamAuthError('dead_credential', 'not a refresh token: expected one starting rt_ or a 45-character legacy token');
    }
    const url = `${current ? this.authUrl : this.auth0Url}/oauth/token`;
    const what = current ? 'refresh token' : 'legacy refresh token';
    const reply = await this.send(what, refreshToken, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: current ? CURRENT_CLIENT_ID : LEGACY_CLIENT_ID,
        grant_type: 'refresh_token',
        redirect_uri: REDIRECT_URI,
        refresh_token: refreshToken,
      }),
    });
    const body = reply.body ?? {};
    const error = str(body.error);
    if (error === 'invalid_grant' || error === 'access_denied' || reply.status === 400 || reply.status === 401) {
      throw new UpstreamAuthError('dead_credential', `${what} refused: ${this.describe(reply, refreshToken)}`, reply.status);
    }
    this.throwUnlessOk(what, refreshToken, reply);
    const accessToken = str(body.access_token);
    if (!accessToken) throw new UpstreamAuthError('transient', `${what} exchange answered without an access token`, reply.status);
    const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
    return {
      accessToken,
      refreshToken: str(body.refresh_token),
      expiresAt:
        typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
          ? new Date(Date.now() + expiresIn * 1000)
          : expiryOf(accessToken),
    };
  }

  async exchangeSession(sessionToken: string): Promise<SessionResult> {
    const what = 'session token';
    const reply = await this.send(what, sessionToken, `${this.baseUrl}/api/auth/session`, {
      method: 'GET',
      headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` },
    });
    if (reply.status === 401) throw new UpstreamAuthError('dead_credential', `${what} refused: ${this.describe(reply, sessionToken)}`, 401);
    this.throwUnlessOk(what, sessionToken, reply);
    const body = reply.body ?? {};
    const accessToken = str(body.accessToken);
    // next-auth answers a dead session with 200 and `{}`, not with an error status.
    if (!accessToken) throw new UpstreamAuthError('dead_credential', `${what} is no longer valid (the upstream returned an empty session)`, reply.status);
    const claims = decodeAccessToken(accessToken);
    const user = obj(body.user);
    const account = obj(body.account);
    return {
      accessToken,
      expiresAt: expiryOf(accessToken),
      sessionToken: rotatedCookie(reply.setCookie),
      email: str(user?.email) ?? claims?.email ?? null,
      accountId: str(account?.id) ?? claims?.accountId ?? null,
      plan: str(account?.planType) ?? claims?.plan ?? null,
    };
  }

  async me(accessToken: string): Promise<UpstreamMe> {
    const body = await this.backendGet('/backend-api/me', accessToken);
    const id = str(body.id);
    if (!id) throw new UpstreamAuthError('transient', '/backend-api/me answered without a user id');
    return { id, email: str(body.email), name: str(body.name) };
  }

  async accountsCheck(accessToken: string): Promise<UpstreamWorkspace[]> {
    const body = await this.backendGet(ACCOUNTS_CHECK_PATH, accessToken);
    const entries = obj(body.accounts) ?? {};
    const ordering = Array.isArray(body.account_ordering) ? body.account_ordering.filter((v): v is string => typeof v === 'string') : [];
    const found = new Map<string, UpstreamWorkspace>();
    for (const [key, value] of Object.entries(entries)) {
      const account = obj(obj(value)?.account);
      // "default" repeats the personal account under another key; the id inside tells them apart.
      const accountId = str(account?.account_id) ?? (key === 'default' ? null : key);
      if (!account || !accountId || found.has(accountId)) continue;
      found.set(accountId, {
        accountId,
        plan: str(account.plan_type),
        structure: account.structure === 'workspace' ? 'workspace' : 'personal',
        deactivated: account.is_deactivated === true,
      });
    }
    // Keep the upstream's own order (its first account is the one the web client opens).
    const rank = (id: string) => {
      const i = ordering.indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return [...found.values()].sort((a, b) => rank(a.accountId) - rank(b.accountId));
  }

  private async backendGet(path: string, accessToken: string): Promise<Json> {
    const reply = await this.send(path, accessToken, `${this.baseUrl}${path}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (reply.status === 401) throw new UpstreamAuthError('dead_credential', `${path} refused the access token: ${this.describe(reply, accessToken)}`, 401);
    this.throwUnlessOk(path, accessToken, reply);
    return reply.body ?? {};
  }

  /** One request; anything that keeps an answer from arriving is transient. */
  private async send(
    what: string,
    secret: string,
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<Reply> {
    try {
      const res = await request(url, {
        method: init.method,
        headers: { accept: 'application/json', 'user-agent': 'chatgate', ...this.extraHeaders, ...init.headers },
        body: init.body,
        dispatcher: this.agent,
        // Covers the whole exchange; the agent's timeouts only cover each phase.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await jsonBodyOf(res.body);
      const raw = res.headers['set-cookie'];
      return { status: res.statusCode, body, setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw] };
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : [e.code, e.message].filter(Boolean).join(' ');
      throw new UpstreamAuthError('transient', `${what}: upstream unreachable (${scrub(reason || 'network error', secret)})`);
    }
  }

  private throwUnlessOk(what: string, secret: string, reply: Reply): void {
    if (reply.status >= 200 && reply.status < 300) {
      // A 200 that is not JSON is usually a challenge page put in front of the upstream.
      if (!reply.body) throw new UpstreamAuthError('transient', `${what}: the upstream answered ${reply.status} with something other than a JSON object`, reply.status);
      return;
    }
    // 5xx, 429, and 403 (most often an anti-bot challenge) say nothing about the credential itself.
    throw new UpstreamAuthError('transient', `${what}: ${this.describe(reply, secret)}`, reply.status);
  }

  private describe(reply: Reply, secret: string): string {
    return describeReply(reply, secret);
  }
}

/** Expiry from the JWT's `exp` (read without verification: chatgate is not the audience). */
function expiryOf(accessToken: string): Date {
  const exp = decodeAccessToken(accessToken)?.exp;
  return exp ? new Date(exp * 1000) : new Date(Date.now() + FALLBACK_LIFETIME_MS);
}

/** The new session cookie value, or null when none was set (or it was being cleared). */
function rotatedCookie(setCookie: string[]): string | null {
  for (const line of setCookie) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    return value === '' ? null : decodeCookieValue(value);
  }
  return null;
}

function decodeCookieValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
