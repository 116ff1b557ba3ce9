import {
  ACCOUNT_KIND_OF,
  codexStreamCut,
  codexUpstreamError,
  previousResponseNotFound,
  recordsUnavailable,
  requestFailure,
  type BusError,
  type ResponseOwner,
  type StoredResponse,
  type UsageEvent,
} from '@chatgate/contracts';
import {
  JSON_HEADERS,
  SSE_HEADERS,
  codexRequestRules,
  inputItems,
  inputWithPrevious,
  randomResponseIds,
  ResponsesEventReader,
  ResponsesRelay,
  ResponsesStreamError,
  usageOf as responseUsageOf,
  type ResponseStreamEvent,
  type JsonObject,
  type ResponseItem,
  type ResponsesRequestBody,
} from '@chatgate/protocol';
import { CLIENT_CLOSED_STATUS, identitySourceFor, usageEvent, withRotation, type AttemptResult, type LeasedAttempt } from '@chatgate/service-kit';
import { codexStreamFailure, type CodexAttemptFailure } from './codex-failure.js';
import { derivedUuid } from './codex-headers.js';
import type { CodexClient } from './codex.client.js';
import type { CodexRunDeps } from './codex-run-deps.js';
import type { CodexChatRequest, CodexSink } from './run-codex-chat.js';
import { estimatePromptTokens } from './codex-usage.js';
import { ResponsesOutputLimit } from './responses-output-limit.js';
import { withInlineResponseInputs } from './codex-responses-inputs.js';

/** What the runner needs of the stored responses (ResponseStore). */
export interface CodexResponseRecords {
  find(owner: ResponseOwner, id: string): Promise<{ upstream: string; input: Array<Record<string, unknown>> | null; response: Record<string, unknown> | null } | null>;
  save(owner: ResponseOwner, stored: StoredResponse): Promise<void>;
}

export interface CodexResponsesDeps extends CodexRunDeps {
  client: Pick<CodexClient, 'responses' | 'compact'>;
  records: CodexResponseRecords;
}

type Account = { id: string; label: string | null };
type Counts = { promptTokens: number; completionTokens: number; estimated: boolean };

/** A request made ready for the backend: the body under its rules, the history it expands, the conversation's session. */
interface Prepared {
  model: string;
  stream: boolean;
  store: boolean;
  /** Every input item, the previous responses' expanded (what is stored as this response's input). */
  input: ResponseItem[];
  body: ResponsesRequestBody;
  sessionId: string;
  /** `max_output_tokens`, which the backend refuses: cut locally (ResponsesOutputLimit). */
  maxOutputTokens?: number;
}

const ownerOf = (request: CodexChatRequest): ResponseOwner => ({ tenantId: request.tenantId, userId: request.userId, credentialId: request.credentialId });

/**
 * The client's Responses request for the Codex backend (reference §6.6): `previous_response_id`
 * expanded from chatgate's store (the caller's own responses only), then the backend's body rules
 * (`codexRequestRules`: store false, stream true, instructions, no item ids…); a field the backend
 * refuses and chatgate cannot stand in for is a 400 naming it. `compact`: the rules a unary call takes.
 */
async function prepare(request: CodexChatRequest, deps: Pick<CodexResponsesDeps, 'records' | 'loadInputs'>, compact: boolean): Promise<{ ok: true; prepared: Prepared } | { ok: false; failure: BusError }> {
  const body = request.body;
  const model = typeof body.model === 'string' ? body.model : '';
  let input: ResponseItem[];
  const previousId = body.previous_response_id;
  if (typeof previousId === 'string' && previousId !== '') {
    let row;
    try {
      row = await deps.records.find(ownerOf(request), previousId);
    } catch {
      return { ok: false, failure: recordsUnavailable() };
    }
    // An API key's response is on that key: its items are not chatgate's to expand.
    if (!row || row.upstream === 'platform' || !row.response) return { ok: false, failure: previousResponseNotFound(previousId) };
    const output = Array.isArray(row.response.output) ? (row.response.output as ResponseItem[]) : [];
    input = inputWithPrevious({ input: (row.input ?? []) as ResponseItem[], output }, body.input as string | ResponseItem[] | undefined);
  } else input = inputItems(body.input as string | ResponseItem[] | undefined);

  const wire: JsonObject = { ...body, input: structuredClone(input) };
  delete wire.previous_response_id;
  const sessionId = derivedUuid(`${request.tenantId}\0${request.credentialId}`, typeof body.instructions === 'string' ? body.instructions : '', JSON.stringify(input[0] ?? null));
  if (typeof wire.prompt_cache_key !== 'string' || wire.prompt_cache_key === '') wire.prompt_cache_key = sessionId;
  // Codex CLI's installation metadata describes the client, not the request: the backend is not asked to read it.
  delete wire.client_metadata;
  const ruled = codexRequestRules(wire);
  const refused = ruled.refused.filter((r) => !(compact && r.rule === 'input-as-item-list'));
  if (refused[0]) return { ok: false, failure: requestFailure('unsupported_value', refused[0].reason, { param: refused[0].param }) };
  if (compact) {
    // Unary: the compaction endpoint refuses store and stream.
    delete ruled.body.store;
    delete ruled.body.stream;
  }
  // Images and files by http(s) URL go up as data URLs, fetched under the upload guard (as chat on Codex does); the stored input keeps the URLs.
  const inlined = await withInlineResponseInputs(ruled.body, deps.loadInputs);
  if (!inlined.ok) return inlined;
  ruled.body = inlined.body as ResponsesRequestBody;
  return {
    ok: true,
    prepared: { model, stream: body.stream === true, store: body.store !== false, input, body: ruled.body, sessionId, ...(ruled.maxOutputTokens !== undefined ? { maxOutputTokens: ruled.maxOutputTokens } : {}) },
  };
}

/**
 * `POST /v1/responses` on the tenant's Codex accounts: natively, the backend's events relayed in the
 * public API's shape (`ResponsesRelay`: chatgate's response id, sequence numbers from 0, the request's
 * settings echoed, output rebuilt from the finished items), leased and rotated like a chat (a 401
 * refreshed once, a used-up account cooled until it resets, a challenge or 5xx moved past) until the
 * first output item; nothing reaches the client before it, so failures until then move to the next
 * account. A finished response (unless `store: false`) is stored with its whole input before its last
 * event goes out, so the client's next turn (`previous_response_id`) finds it. Not streamed: the
 * stream gathered into one Response. `max_output_tokens`, which the backend refuses, is cut locally
 * (ResponsesOutputLimit: `incomplete`, reason `max_output_tokens`). One usage event with the backend's counts.
 */
export async function runCodexResponses(request: CodexChatRequest, sink: CodexSink, deps: CodexResponsesDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const started = now();
  const model = typeof request.body.model === 'string' ? request.body.model : '';
  let account: Account | null = null;
  const publish = (counts: Counts | null, failure: BusError | null) => deps.publishUsage(codexUsage(request, model, account, counts, failure, deps.signal.aborted, started, now()));
  if (request.upstream.kind !== 'pool') {
    const failure = requestFailure('platform_unavailable', "Only a tenant credential can use the tenant's Codex accounts; a ChatGPT token cannot.");
    sink.error(failure);
    return publish(null, failure);
  }
  const ready = await prepare(request, deps, false);
  if (!ready.ok) {
    sink.error(ready.failure);
    return publish(null, ready.failure);
  }
  const plan = ready.prepared;
  const id = randomResponseIds.response();
  let headed = false;
  const write = (text: string) => {
    if (!text) return;
    if (!headed) {
      headed = true;
      sink.head(200, SSE_HEADERS);
    }
    sink.data(Buffer.from(text));
  };
  let counts: Counts | null = null;

  const rotated = await withRotation(
    identitySourceFor(request, plan.model, deps.leases, { kind: ACCOUNT_KIND_OF.codex }),
    deps.retryTimes,
    (current) => {
      account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
      return attempt(current);
    },
    deps.signal,
  );
  if (!rotated.ok) {
    if ('cancelled' in rotated) return publish(counts, null);
    if (headed) sink.end();
    else sink.error(rotated.failure);
    return publish(counts, rotated.failure);
  }
  return publish(counts, rotated.value === 'failed' ? codexStreamCut() : null);

  /** One account's try: ok once the answer reached the client (finished or, after its first item, failed in the stream). */
  async function attempt(current: LeasedAttempt): Promise<AttemptResult<'finished' | 'failed'>> {
    const upstream = new AbortController();
    const stop = () => upstream.abort();
    deps.signal.addEventListener('abort', stop, { once: true });
    try {
      const opened = await deps.client.responses({ accessToken: current.identity.accessToken, chatgptAccountId: current.identity.chatgptAccountId }, plan.body, plan.sessionId, upstream.signal);
      const report = (failed: CodexAttemptFailure | null) => {
        if (current.accountId) deps.limits.observed(current.accountId, opened.limits, { force: failed?.failure.error.code === 'usage_limit_reached' });
      };
      if (!opened.ok) {
        report(opened);
        return { ok: false, failure: opened.failure, ...(opened.resetsAtSec !== undefined ? { resetsAtSec: opened.resetsAtSec } : {}) };
      }
      const relay = new ResponsesRelay({ id, request: request.body, model: plan.model });
      const reader = new ResponsesEventReader();
      const limit = plan.maxOutputTokens !== undefined ? new ResponsesOutputLimit(plan.maxOutputTokens) : null;
      // Held until the first output item: until then a failure moves to another account unseen.
      let held = '';
      let committed = false;
      const take = async (upstreamEvents: ResponseStreamEvent[]): Promise<boolean> => {
        const events = limit ? upstreamEvents.flatMap((event) => limit.push(event)) : upstreamEvents;
        for (const event of events) {
          let text = relay.push(event);
          if (!committed && (event.type === 'response.output_item.added' || event.type === 'response.output_item.done' || event.type === 'response.completed' || event.type === 'response.incomplete')) committed = true;
          const result = relay.result();
          const finished = result.status === 'completed' || result.status === 'incomplete';
          if (finished) {
            await keep(current, relay);
            counts = countsOf(relay, plan);
          }
          if (!committed) {
            held += text;
            if (result.status === 'failed' || result.status === 'error') return true;
            continue;
          }
          text = held + text;
          held = '';
          if (plan.stream) write(text);
          if (result.status !== 'truncated') return true;
        }
        return false;
      };
      let broken: CodexAttemptFailure | null = null;
      try {
        let over = false;
        for await (const chunk of opened.body) {
          if ((over = await take(reader.push(chunk)))) break;
          if (plan.stream && committed) await sink.drained?.();
        }
        if (!over) await take(reader.end());
      } catch (err) {
        broken = err instanceof ResponsesStreamError ? { failure: codexUpstreamError(`The Codex backend sent a stream chatgate cannot read: ${err.message}`) } : { failure: codexStreamCut() };
      }
      if (limit?.cut && !deps.signal.aborted) {
        // Cut at max_output_tokens, then the upstream broke off: the answer the client has is whole up to the limit.
        const tail = limit.finish();
        if (tail.length > 0) {
          await take(tail);
          broken = null;
        }
      }
      const result = relay.result();
      if (!broken && (result.status === 'completed' || result.status === 'incomplete')) {
        report(null);
        if (plan.stream) sink.end();
        else {
          sink.head(200, JSON_HEADERS);
          sink.data(Buffer.from(JSON.stringify(relay.finalResponse())));
          sink.end();
        }
        return { ok: true, value: 'finished' };
      }
      const failed = broken ?? codexStreamFailure(result.error ?? { code: 'stream_truncated', message: '' }, opened.limits);
      report(failed);
      if (committed && !deps.signal.aborted) {
        // After its first item the answer cannot move to another account: the client is told how it ended.
        counts = countsOf(relay, plan);
        if (plan.stream) {
          write(relay.end());
          sink.end();
          return { ok: true, value: 'failed' };
        }
      }
      return { ok: false, failure: failed.failure, ...(failed.resetsAtSec !== undefined ? { resetsAtSec: failed.resetsAtSec } : {}) };
    } catch {
      return { ok: false, failure: codexStreamCut() };
    } finally {
      deps.signal.removeEventListener('abort', stop);
    }
  }

  /** Stores the finished response for its owner (unless `store: false`); a failing store never fails the answer. */
  async function keep(current: LeasedAttempt, relay: ResponsesRelay): Promise<void> {
    if (!plan.store) return;
    try {
      await deps.records.save(ownerOf(request), {
        id,
        upstream: 'codex',
        model: plan.model,
        accountId: current.accountId,
        response: relay.finalResponse() as unknown as Record<string, unknown>,
        input: plan.input as unknown as Array<Record<string, unknown>>,
        conversationId: null,
        messageId: null,
      });
    } catch {
      // The answer stands; a later previous_response_id or GET of it is a 404.
    }
  }
}

/** The one usage event of a Codex responses or compaction request: its counts (none: zero) and how it ended. */
function codexUsage(request: CodexChatRequest, model: string, account: Account | null, counts: Counts | null, failure: BusError | null, cancelled: boolean, started: number, ended: number): UsageEvent {
  return usageEvent(request, {
    model,
    kind: 'chat',
    upstream: 'codex',
    account,
    promptTokens: counts?.promptTokens ?? 0,
    completionTokens: counts?.completionTokens ?? 0,
    estimated: counts?.estimated ?? false,
    outcome: failure ? 'error' : cancelled ? 'cancelled' : 'ok',
    status: failure ? failure.status : cancelled ? CLIENT_CLOSED_STATUS : 200,
    latencyMs: Math.max(0, ended - started),
    at: ended,
  });
}

/** The backend's counts, or an estimate of the prompt when none came. */
function countsOf(relay: ResponsesRelay, plan: Prepared): Counts {
  const usage = relay.result().usage;
  if (usage) return { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, estimated: false };
  return { promptTokens: estimatePromptTokens(plan.body), completionTokens: 0, estimated: true };
}

/**
 * `POST /v1/responses/compact` on a Codex account: `previous_response_id` expanded, the body under the
 * backend's rules (without store and stream), passed to the backend's compaction endpoint; its JSON
 * answer goes back as it came. One usage event with its counts.
 */
export async function runCodexCompact(request: CodexChatRequest, sink: CodexSink, deps: CodexResponsesDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const started = now();
  const model = typeof request.body.model === 'string' ? request.body.model : '';
  let account: Account | null = null;
  let counts: Counts | null = null;
  // Compaction's counts are the backend's own or none: never an estimate.
  const finish = (failure: BusError | null) => deps.publishUsage(codexUsage(request, model, account, counts, failure, deps.signal.aborted, started, now()));
  if (request.upstream.kind !== 'pool') {
    const failure = requestFailure('platform_unavailable', "Only a tenant credential can use the tenant's Codex accounts; a ChatGPT token cannot.");
    sink.error(failure);
    return finish(failure);
  }
  const ready = await prepare(request, deps, true);
  if (!ready.ok) {
    sink.error(ready.failure);
    return finish(ready.failure);
  }
  const plan = ready.prepared;
  const rotated = await withRotation(
    identitySourceFor(request, plan.model, deps.leases, { kind: ACCOUNT_KIND_OF.codex }),
    deps.retryTimes,
    async (current): Promise<AttemptResult<{ status: number; text: string }>> => {
      account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
      const answer = await deps.client.compact({ accessToken: current.identity.accessToken, chatgptAccountId: current.identity.chatgptAccountId }, plan.body, plan.sessionId, deps.signal);
      if (current.accountId) deps.limits.observed(current.accountId, answer.limits, { force: !answer.ok && answer.failure.error.code === 'usage_limit_reached' });
      if (!answer.ok) return { ok: false, failure: answer.failure, ...(answer.resetsAtSec !== undefined ? { resetsAtSec: answer.resetsAtSec } : {}) };
      return { ok: true, value: { status: answer.status, text: answer.text } };
    },
    deps.signal,
  );
  if (!rotated.ok) {
    if ('cancelled' in rotated) return finish(null);
    sink.error(rotated.failure);
    return finish(rotated.failure);
  }
  try {
    const usage = responseUsageOf((JSON.parse(rotated.value.text) as { usage?: unknown }).usage);
    if (usage) counts = { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, estimated: false };
  } catch {
    // Not JSON: passed on as it came.
  }
  sink.head(rotated.value.status, JSON_HEADERS);
  sink.data(Buffer.from(rotated.value.text));
  sink.end();
  finish(null);
}
