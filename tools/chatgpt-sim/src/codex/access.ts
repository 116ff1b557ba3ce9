// What every Codex backend call goes through first: it is recorded as received, its bearer is a
// Codex credential (a login's access token or an `at-` token; another client's token only when the
// quirk allows), the account's injected behaviour answers, and the account header matches. Every
// answer from then on carries the account's `x-codex-*` headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountRecord } from '../accounts.js';
import type { Failure } from '../behaviours.js';
import type { SimContext } from '../context.js';
import { isHttpFailKind, sendFailure, type HttpFailKind } from '../failures.js';
import { header, readBody, sendJson } from '../http.js';
import { uuid } from '../ids.js';
import type { UpstreamRequestRecord } from '../types.js';
import { limitHeaders, usageLimitBody } from './limits.js';
import { CodexReject } from './rules.js';
import { ResponsesApiError } from '../responses/errors.js';

export type CodexRoute = 'responses' | 'compact' | 'models' | 'usage';

export interface CodexCall {
  account: AccountRecord;
  record: UpstreamRequestRecord;
  /** The body as received (empty for GET). */
  raw: string;
  /** A mid-stream failure the account's behaviour holds for this request (stall, cut, stream_error). */
  failure: Failure | undefined;
  /** The `x-codex-*` and request-id headers, as of now. */
  headers(): Record<string, string>;
}

const AUTH_MESSAGES = {
  invalid_jwt: 'Could not parse your authentication token. Please try signing in again.',
  token_expired: 'Provided authentication token is expired. Please try signing in again.',
  token_invalidated: 'Your authentication token has been invalidated. Please try signing in again.',
} as const;

export function bearerOf(req: IncomingMessage): string {
  const raw = header(req, 'authorization') ?? '';
  return /^bearer\s+/i.test(raw) ? raw.replace(/^bearer\s+/i, '').trim() : '';
}

export function sendAuthFailure(res: ServerResponse, code: keyof typeof AUTH_MESSAGES): void {
  sendJson(res, 401, { error: { message: AUTH_MESSAGES[code], type: 'invalid_request_error', param: null, code } });
}

type Authenticated = { ok: true; account: AccountRecord } | { ok: false; code: keyof typeof AUTH_MESSAGES };

export function authenticateCodex(ctx: SimContext, token: string): Authenticated {
  if (!token) return { ok: false, code: 'invalid_jwt' };
  const own = ctx.codex.credentials.authenticate(token);
  if (own) return own.ok ? { ok: true, account: own.account } : own;
  // Another client's token (web session, iOS app): whether the backend takes it is unconfirmed.
  const other = ctx.accounts.authenticate(token);
  if (!other.ok) return other;
  return ctx.codex.quirks.acceptNonCodexTokens ? { ok: true, account: other.account } : { ok: false, code: 'invalid_jwt' };
}

function parsedOrRaw(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** The call, or undefined once it has been answered (unauthenticated, an injected failure, a header missing). */
export async function openCodexCall(ctx: SimContext, req: IncomingMessage, res: ServerResponse, route: CodexRoute, path: string): Promise<CodexCall | undefined> {
  const record = ctx.codex.records.start(req, res, path);
  const raw = req.method === 'POST' ? await readBody(req) : '';
  record.body = parsedOrRaw(raw);
  const auth = authenticateCodex(ctx, bearerOf(req));
  if (!auth.ok) {
    ctx.stats.codexCall(route, null);
    sendAuthFailure(res, auth.code);
    return undefined;
  }
  const { account } = auth;
  record.accountId = account.accountId;
  ctx.stats.codexCall(route, account.accountId);
  const headers = () => {
    const id = `req_${uuid().replace(/-/g, '')}`;
    return { ...limitHeaders(ctx.codex.accounts.of(account).limits, account.plan), 'x-request-id': id, 'x-oai-request-id': id };
  };
  const failure = ctx.behaviours.takeIf(account, (kind) => (route === 'responses' ? kind !== 'moderation' : isHttpFailKind(kind)));
  if (failure && isHttpFailKind(failure.kind)) {
    sendCodexFailure(res, failure.kind, account, headers(), failure.clearsIn);
    return undefined;
  }
  const given = header(req, 'chatgpt-account-id')?.trim();
  const quirks = ctx.codex.quirks;
  const problem =
    !given && quirks.requireAccountHeader
      ? new CodexReject(400, 'Missing required header: chatgpt-account-id')
      : given && given !== account.accountId
        ? new CodexReject(403, 'The chatgpt-account-id header does not match the account of the token')
        : quirks.requireBetaHeader && !/responses=experimental/.test(header(req, 'openai-beta') ?? '')
          ? new CodexReject(400, 'Missing required header: OpenAI-Beta')
          : null;
  if (problem) {
    sendCodexError(ctx, res, problem, headers());
    return undefined;
  }
  return { account, record, raw, failure, headers };
}

/** A refusal of the backend, with the account's headers; counted by its message. */
export function sendCodexError(ctx: SimContext, res: ServerResponse, err: CodexReject | ResponsesApiError, headers: Record<string, string>): void {
  ctx.stats.codexRejected(err instanceof CodexReject ? err.detail : err.message);
  if (err instanceof CodexReject) sendJson(res, err.status, { detail: err.detail }, headers);
  else sendJson(res, err.status, err.envelope(), headers);
}

/** An injected HTTP failure, as the Codex backend answers it (a 429 is usage_limit_reached; a challenge is Cloudflare's page). */
export function sendCodexFailure(res: ServerResponse, kind: HttpFailKind, account: AccountRecord, headers: Record<string, string>, clearsIn: number | undefined): void {
  switch (kind) {
    case '401':
      sendAuthFailure(res, 'token_expired');
      return;
    case '403':
      sendJson(res, 403, { detail: 'Unusual activity has been detected from your device. Try again later.' }, headers);
      return;
    case '404':
      sendJson(res, 404, { detail: 'Not Found' }, headers);
      return;
    case '429':
      sendJson(res, 429, usageLimitBody(account.plan, Math.floor(Date.now() / 1000) + (clearsIn ?? 60)), headers);
      return;
    case '500':
      sendJson(res, 500, { detail: 'Internal server error' }, headers);
      return;
    case 'cloudflare':
      sendFailure(res, 'cloudflare', { model: '' });
      return;
  }
}
