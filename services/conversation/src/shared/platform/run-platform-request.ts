import {
  ACCOUNT_KIND_OF,
  keyFailureOf,
  imageOrderOf,
  keyOutcomeOf,
  isMissingPermission,
  platformAddressRefused,
  platformPermissionDenied,
  platformStreamCut,
  platformUnreachable,
  type AccountLease,
  type BusError,
  type UsageEvent,
} from '@chatgate/contracts';
import { CLIENT_CLOSED_STATUS, isAddressRefused, readCapped, usageEvent, type AccountLeases } from '@chatgate/service-kit';
import type { PlatformResponse } from './platform-http.js';
import { platformRouteOf, prepareBody, type PlatformRequest } from './platform-request.js';
import type { PlatformUsage } from './platform-usage.js';
import { JsonAnswer } from './json-answer.js';
import { retryAfterSeconds } from './retry-after.js';
import { StreamUsageFilter } from './stream-usage-filter.js';

/**
 * Where a platform answer goes: transport-agnostic, so the same loop serves a direct gateway route
 * or the gateway→worker relay. `head` comes once before any `data`; then exactly one `end` or
 * `error` (an `error` after `head` means the answer broke off midway).
 */
export interface PlatformSink {
  head(status: number, headers: Record<string, string>): void;
  data(bytes: Uint8Array): void;
  /** Resolves when the sink's reader has caught up (flow control); the upstream is read no further until then. */
  drained?(): Promise<void>;
  /** `accountId`: the key that answered. May return a promise: the answer's end waits for it (a stored response's record). */
  end(usage: PlatformUsage | null, accountId?: string): unknown;
  error(failure: BusError): void;
}

export interface PlatformDeps {
  leases: AccountLeases;
  http: { send(lease: AccountLease, target: Pick<PlatformRequest, 'path' | 'method' | 'query'>, json: string | undefined, signal?: AbortSignal): Promise<PlatformResponse> };
  retryTimes: number;
  publishUsage?(event: UsageEvent): void;
  signal?: AbortSignal;
  now?: () => number;
}

/** Response headers a client may see; the rest (rate-limit counters, organization, cookies) describe the key, not the answer. */
const PASSED_HEADERS = ['content-type', 'x-request-id', 'openai-processing-ms', 'openai-version', 'openai-model'];

function passedHeaders(headers: PlatformResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

/** The upstream's own message of an error body, for the key's last error (trimmed; never the key, which 401 bodies mask). */
function upstreamMessage(text: string, status: number): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.replace(/sk-[A-Za-z0-9_-]{8,}/g, 'sk-…').slice(0, 300);
  } catch {
    // not JSON
  }
  return `status ${status}`;
}

type Delivered = { delivered: true; status: number; usage: PlatformUsage | null; failed: boolean };
/** `final`: the request fails as it stands, no other key is tried. */
type Attempt = Delivered | { delivered: false; failure: BusError; status: number; final?: boolean };

/** One answer that reached the client: its bytes forwarded (filtered for a stream), usage taken from them. */
async function deliver(res: PlatformResponse, prepared: ReturnType<typeof prepareBody>, sink: PlatformSink, accountId: string, signal?: AbortSignal): Promise<Delivered> {
  const type = String(res.headers['content-type'] ?? '');
  const ok = res.status >= 200 && res.status < 300;
  const head = () => sink.head(res.status, passedHeaders(res.headers));
  try {
    if (ok && type.includes('text/event-stream')) {
      head();
      const filter = new StreamUsageFilter(prepared.clientAskedUsage);
      for await (const chunk of res.body) {
        const out = filter.push(chunk);
        if (out.length) sink.data(out);
        await sink.drained?.();
      }
      const rest = filter.end();
      if (rest.length) sink.data(rest);
      await sink.end(filter.usage, accountId);
      return { delivered: true, status: res.status, usage: filter.usage, failed: false };
    }
    if (type.includes('application/json')) {
      // A usual answer is held whole and its head waits for it: a body cut midway is then an error
      // before the head, which the client gets as a 502 in OpenAI's format (its SDK retries it)
      // instead of a 200 cut short. One too large to hold passes through, paced by its reader.
      const answer = new JsonAnswer();
      for await (const chunk of res.body) {
        const wasHeld = !answer.passing;
        if (answer.push(chunk)) continue;
        if (wasHeld) {
          head();
          for (const held of answer.release()) sink.data(held);
        }
        sink.data(chunk);
        await sink.drained?.();
      }
      if (!answer.passing) {
        head();
        sink.data(answer.whole());
      }
      const usage = ok ? answer.usage() : null;
      await sink.end(usage, accountId);
      return { delivered: true, status: res.status, usage, failed: !ok };
    }
    // Audio and anything else: streamed through as it comes.
    head();
    for await (const chunk of res.body) {
      sink.data(chunk);
      await sink.drained?.();
    }
    await sink.end(null, accountId);
    return { delivered: true, status: res.status, usage: null, failed: !ok };
  } catch {
    if (!signal?.aborted) sink.error(platformStreamCut());
    return { delivered: true, status: res.status, usage: null, failed: true };
  }
}

/**
 * A platform request with the tenant's API keys: lease a key, send, and on a key's failure
 * before anything reached the client (401, 403, 429, 5xx, no connection) report it to auth and
 * try the next key, up to RETRY_TIMES keys. A client error (400, 404, 422…) is the client's: passed
 * through unchanged. One usage event per request, with the upstream's exact token counts.
 */
export async function runPlatformRequest(request: PlatformRequest, sink: PlatformSink, deps: PlatformDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const started = now();
  const prepared = prepareBody(request);
  const exclude: string[] = [];
  let lastFailure: BusError | null = null;
  let lease: AccountLease | null = null;
  let result: Attempt | null = null;

  for (let tries = 0; tries < deps.retryTimes; tries++) {
    const leased = await deps.leases.lease({ tenantId: request.tenantId, model: prepared.model, exclude: [...exclude], allowed: request.allowedAccountIds, requestId: request.requestId, kind: ACCOUNT_KIND_OF.platform });
    if (!leased.ok) {
      // No key left: a cooling pool's 429 says when it frees up; otherwise the last real error.
      const failure = lastFailure && leased.failure.status !== 429 ? lastFailure : leased.failure;
      result = { delivered: false, failure, status: failure.status };
      break;
    }
    lease = leased.lease;
    exclude.push(lease.accountId);
    result = await attempt(request, prepared, lease, sink, deps, now);
    if (result.delivered || result.final || deps.signal?.aborted) break;
    lastFailure = result.failure;
  }
  if (result && !result.delivered) sink.error(result.failure);
  else if (!result) sink.error(lastFailure ?? platformUnreachable('no attempt was made'));
  publish(request, prepared.model, lease, result, deps, started, now());
}

async function attempt(request: PlatformRequest, prepared: ReturnType<typeof prepareBody>, lease: AccountLease, sink: PlatformSink, deps: PlatformDeps, now: () => number): Promise<Attempt> {
  let res: PlatformResponse;
  try {
    res = await deps.http.send(lease, request, prepared.json, deps.signal);
  } catch (err) {
    if (isAddressRefused(err)) {
      // The key's base URL (a tenant admin's choice) reaches an address chatgate never calls: the admin sees why.
      const failure = platformAddressRefused(err.message);
      await deps.leases.report({ accountId: lease.accountId, model: prepared.model, outcome: 'upstream_error', message: `base URL refused: ${err.message}`.slice(0, 500) });
      return { delivered: false, failure, status: failure.status };
    }
    const reason = (err as { code?: string })?.code ?? (err instanceof Error ? err.message : 'unknown error');
    const failure = platformUnreachable(reason);
    if (!deps.signal?.aborted) await deps.leases.report({ accountId: lease.accountId, model: prepared.model, outcome: 'upstream_error', message: `unreachable: ${reason}`.slice(0, 500) });
    return { delivered: false, failure, status: failure.status };
  }
  const outcome = keyOutcomeOf(res.status);
  if (!outcome) return deliver(res, prepared, sink, lease.accountId, deps.signal);
  const text = await readCapped(res.body).catch(() => '');
  // A 401 about a missing scope: the key is valid, this request may not use it. The key stays enabled for everyone else.
  if (outcome === 'unauthorized' && isMissingPermission(upstreamMessage(text, res.status))) {
    const failure = platformPermissionDenied(upstreamMessage(text, res.status));
    return { delivered: false, failure, status: failure.status, final: true };
  }
  const retryAfterSec = outcome === 'rate_limited' ? retryAfterSeconds(res.headers as Record<string, string>, now()) : undefined;
  await deps.leases.report({
    accountId: lease.accountId,
    model: prepared.model,
    outcome,
    ...(retryAfterSec !== undefined ? { clearsInSec: retryAfterSec } : {}),
    message: `${res.status} ${upstreamMessage(text, res.status)}`.slice(0, 500),
  });
  const failure = keyFailureOf(outcome, res.status, retryAfterSec);
  return { delivered: false, failure, status: failure.status };
}

function publish(request: PlatformRequest, model: string, lease: AccountLease | null, result: Attempt | null, deps: PlatformDeps, started: number, ended: number): void {
  const kind = platformRouteOf(request).kind;
  if (!kind || !deps.publishUsage) return;
  const cancelled = deps.signal?.aborted === true;
  const delivered = result?.delivered ? result : null;
  const ok = delivered !== null && !delivered.failed && !cancelled;
  deps.publishUsage(
    usageEvent(request, {
      model,
      kind,
      upstream: 'platform',
      account: lease ? { id: lease.accountId, label: lease.label } : null,
      // Speech is priced by the characters of its input (the platform reports no tokens for it).
      ...(kind === 'speech' && ok ? { characters: speechCharacters(request) } : {}),
      // Images are priced per image: as many as the answer held (a streamed one: as many as asked).
      ...(kind === 'image' && ok ? { images: imageOrderOf(request.body, delivered.usage?.images ?? undefined) } : {}),
      promptTokens: delivered?.usage?.promptTokens ?? 0,
      completionTokens: delivered?.usage?.completionTokens ?? 0,
      estimated: false,
      outcome: cancelled ? 'cancelled' : ok ? 'ok' : 'error',
      status: cancelled ? CLIENT_CLOSED_STATUS : (result?.status ?? 502),
      latencyMs: Math.max(0, ended - started),
      at: ended,
    }),
  );
}

function speechCharacters(request: PlatformRequest): number {
  const input = (request.body as { input?: unknown } | undefined)?.input;
  return typeof input === 'string' ? [...input].length : 0;
}
