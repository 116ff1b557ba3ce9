import {
  codexBadRequest,
  codexChallenge,
  codexContextTooLong,
  codexFailure,
  codexModelUnavailable,
  codexRateLimited,
  codexRefused,
  codexStatusFailed,
  codexStreamCut,
  codexTimeout,
  codexUnreachable,
  codexUpstreamError,
  codexUsageLimited,
  type BusError,
} from '@chatgate/contracts';
import { isChallengePage } from '@chatgate/service-kit';
import type { CodexLimits } from './codex-limits.js';

/**
 * One Codex attempt's failure: what the client would get, and for a used-up account the moment its
 * usage resets (unix seconds), which auth cools the account until.
 */
export interface CodexAttemptFailure {
  failure: BusError;
  resetsAtSec?: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** The backend's "not supported when using Codex with a ChatGPT account" (reference §3.1): the plan lacks the model. */
const PLAN_LACKS_MODEL = /not supported when using Codex with a ChatGPT account/i;
/** Usage-limit error types (reference §3.3): `usage_limit_reached`, its variant `usage_not_included`, and the in-stream `insufficient_quota`. */
const USAGE_LIMIT_TYPES = new Set(['usage_limit_reached', 'usage_not_included', 'insufficient_quota']);

interface ErrorBody {
  message: string | null;
  type: string | null;
  code: string | null;
  param: string | null;
  resetsAt: number | null;
  resetsIn: number | null;
}

/** `{"detail": "…"}` (FastAPI style) or `{"error": {…}}` (OpenAI style); anything else says nothing. */
function errorBodyOf(text: string): ErrorBody {
  const out: ErrorBody = { message: null, type: null, code: null, param: null, resetsAt: null, resetsIn: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return out;
  }
  if (!parsed || typeof parsed !== 'object') return out;
  const body = parsed as { detail?: unknown; error?: unknown };
  if (typeof body.detail === 'string') out.message = body.detail;
  const error = body.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : null;
  if (error) {
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    out.message = str(error.message) ?? out.message;
    out.type = str(error.type);
    out.code = str(error.code);
    out.param = str(error.param);
    out.resetsAt = num(error.resets_at);
    out.resetsIn = num(error.resets_in_seconds);
  }
  return out;
}

function headerOf(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** When a used-up account frees up: the body's `resets_at`, else `resets_in_seconds`, else the latest exhausted window's reset. */
function resetsAtOf(body: Pick<ErrorBody, 'resetsAt' | 'resetsIn'>, limits: CodexLimits | null, nowSec: number): number | undefined {
  if (body.resetsAt !== null) return Math.floor(body.resetsAt);
  if (body.resetsIn !== null) return nowSec + Math.ceil(body.resetsIn);
  const exhausted = [limits?.primary, limits?.secondary].filter((w) => w && w.usedPercent >= 100 && w.resetAtSec !== null).map((w) => w!.resetAtSec!);
  return exhausted.length ? Math.max(...exhausted) : undefined;
}

function usageLimited(resetsAtSec: number | undefined, nowSec: number): CodexAttemptFailure {
  if (resetsAtSec === undefined) return { failure: codexUsageLimited() };
  return { failure: codexUsageLimited(Math.max(0, resetsAtSec - nowSec)), resetsAtSec };
}

/** The message the backend gave, trimmed for a client error and the account's last error (no token ever appears in these bodies). */
function said(body: ErrorBody): string | undefined {
  return body.message ? body.message.slice(0, 300) : undefined;
}

/**
 * A Codex backend answer that is not a usable event stream, in the client's and the pool's terms
 * (reference §1.4, §3). A challenge page is the account's failure (cooled, shown to the operator),
 * never solved or worked around.
 */
export function codexHttpFailure(status: number, headers: Headers, text: string, model: string, limits: CodexLimits | null, nowSec = Math.floor(Date.now() / 1000)): CodexAttemptFailure {
  if (/challenge/i.test(headerOf(headers, 'cf-mitigated') ?? '') || isChallengePage(text)) return { failure: codexChallenge() };
  const body = errorBodyOf(text);
  if (status === 401) {
    const code = body.code ?? body.type;
    return { failure: codexFailure('upstream_unauthorized', `The Codex backend refused the account's login${code ? ` (${code})` : ''}; it is refreshed once, and otherwise needs a new sign-in.`) };
  }
  if (status === 429) {
    if (body.type && USAGE_LIMIT_TYPES.has(body.type)) return usageLimited(resetsAtOf(body, limits, nowSec), nowSec);
    const retry = Number.parseInt(headerOf(headers, 'retry-after') ?? '', 10);
    return { failure: codexRateLimited(Number.isFinite(retry) ? Math.max(0, retry) : undefined) };
  }
  if (status === 400 && body.message && PLAN_LACKS_MODEL.test(body.message)) return { failure: codexModelUnavailable(model) };
  if (status === 403) return { failure: codexRefused(said(body)) };
  if (status === 400 || status === 409 || status === 413 || status === 415 || status === 422) {
    const message = said(body) ?? `status ${status}`;
    if (body.code === 'context_length_exceeded') return { failure: codexContextTooLong(`The Codex backend refused the request: ${message}`) };
    return { failure: codexBadRequest(`The Codex backend refused the request: ${message}`, body.param) };
  }
  if (status >= 200 && status < 300) return { failure: codexUpstreamError('The Codex backend answered with something other than an event stream.') };
  return { failure: codexStatusFailed(status) };
}

/** "try again in 1.5s" / "in 250ms": the seconds an in-stream rate limit asks to wait (reference §3.3). */
function retryDelayOf(message: string): number | undefined {
  const match = /try again in\s+([\d.]+)\s*(ms|s)\b/i.exec(message);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return undefined;
  return Math.max(0, Math.ceil(match[2].toLowerCase() === 'ms' ? value / 1000 : value));
}

/**
 * A failure the backend reported inside its stream (`response.failed`, an `error` event), or a stream
 * that ended before its terminal event (`stream_truncated`, the reader's note).
 */
export function codexStreamFailure(error: { code: string; message: string; param?: string | null }, limits: CodexLimits | null, nowSec = Math.floor(Date.now() / 1000)): CodexAttemptFailure {
  const { code, message } = error;
  if (code === 'stream_truncated') return { failure: codexStreamCut() };
  if (USAGE_LIMIT_TYPES.has(code)) return usageLimited(resetsAtOf({ resetsAt: null, resetsIn: null }, limits, nowSec), nowSec);
  if (code === 'rate_limit_exceeded') return { failure: codexRateLimited(retryDelayOf(message)) };
  if (code === 'context_length_exceeded') return { failure: codexContextTooLong(message) };
  if (code.startsWith('invalid_')) return { failure: codexBadRequest(`The Codex backend refused the request: ${message}`, error.param ?? null) };
  return { failure: codexUpstreamError(`The Codex backend reported an error: ${message || code}`) };
}

/** An exception from undici before any answer: a timeout, or no connection. */
export function codexTransportFailure(err: unknown): CodexAttemptFailure {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { failure: codexTimeout() };
  return { failure: codexUnreachable(code || (err instanceof Error ? err.message : 'unknown error')) };
}
