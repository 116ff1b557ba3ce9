import { randomBytes } from 'node:crypto';
import { ACCOUNT_KIND_OF, codexStreamCut, codexTimeout, codexUpstreamError, requestFailure, type BusError, type UpstreamCredential, type UsageEvent } from '@chatgate/contracts';
import {
  JSON_HEADERS,
  SSE_HEADERS,
  chatCompletionObject,
  ChunkEncoder,
  ResponsesEventReader,
  responseToChatChoice,
  ResponsesStreamError,
  ResponsesToChatStream,
  sumChatUsage,
  toOpenAIUsage,
  type AccumulatedResponse,
  type ChatUsageCounts,
  type CompletionChoice,
  type CompletionIdentity,
  type JsonObject,
} from '@chatgate/protocol';
import { CLIENT_CLOSED_STATUS, identitySourceFor, usageEvent, withRotation, type AttemptResult, type LeasedAttempt, type UsageCaller } from '@chatgate/service-kit';
import { ChoiceGuard } from './choice-guard.js';
import { withInlineInputs } from './codex-chat-inputs.js';
import { planCodexChat, type CodexChatPlan } from './codex-chat-request.js';
import { codexStreamFailure, type CodexAttemptFailure } from './codex-failure.js';
import type { CodexClient } from './codex.client.js';
import type { CodexRunDeps } from './codex-run-deps.js';
import { estimatedUsage, estimatePromptTokens } from './codex-usage.js';

/** A chat completions request for the tenant's Codex accounts, as the relay carries it. */
export interface CodexChatRequest extends UsageCaller {
  upstream: UpstreamCredential;
  /** The client's chat completions body, as it sent it. */
  body: JsonObject;
}

/** Where the answer goes: `head` once before any `data`, then exactly one `end` or `error` (after `head`: the answer broke off). */
export interface CodexSink {
  head(status: number, headers: Record<string, string>): void;
  data(bytes: Uint8Array): void;
  /** Resolves when the client has taken enough of what was sent (flow control); absent: never waits. */
  drained?(): Promise<void>;
  end(): void;
  error(failure: BusError): void;
}

export interface CodexChatDeps extends CodexRunDeps {
  client: Pick<CodexClient, 'responses'>;
}

/** `chatcmpl-` and 29 url-safe characters, the shape OpenAI's ids have. */
function newCompletionId(): string {
  return `chatcmpl-${randomBytes(22).toString('base64url').slice(0, 29)}`;
}

type Account = { id: string; label: string | null };

/** How one choice ended. `written`: it failed after its first words went out, and the client was told (stream). */
type ChoiceEnd =
  | { kind: 'done'; guard: ChoiceGuard; result: AccumulatedResponse; usage: ChatUsageCounts | null; account: Account | null }
  /** `guard`: what the choice had sent when it broke off after its first words (counted), else null. */
  | { kind: 'failed'; failure: BusError; guard: ChoiceGuard | null; account: Account | null }
  /** The client went away (or another choice failed): `guard` holds what this choice had sent by then. */
  | { kind: 'cancelled'; guard: ChoiceGuard | null; account: Account | null };

/** The one HTTP answer all choices share: the head once, chunks as they come, one end. */
class AnswerWriter {
  started = false;
  closed = false;

  constructor(private readonly sink: CodexSink) {}

  write(text: string): void {
    if (this.closed || text === '') return;
    if (!this.started) {
      this.started = true;
      this.sink.head(200, SSE_HEADERS);
    }
    this.sink.data(Buffer.from(text));
  }

  /** Waits while the client is too far behind (the gateway's window), so a slow reader slows the upstream read. */
  drained(): Promise<void> {
    return this.sink.drained?.() ?? Promise.resolve();
  }

  /** A failure: an HTTP error before anything went out, else an SSE error chunk and `[DONE]` (as chat does). */
  fail(failure: BusError): void {
    if (this.closed) return;
    if (this.started) {
      this.sink.data(Buffer.from(ChunkEncoder.error(failure.error) + ChunkEncoder.DONE));
      this.sink.end();
    } else this.sink.error(failure);
    this.closed = true;
  }

  end(tail: string): void {
    if (this.closed) return;
    this.write(tail);
    this.sink.end();
    this.closed = true;
  }

  json(body: unknown): void {
    if (this.closed) return;
    this.started = true;
    this.sink.head(200, JSON_HEADERS);
    this.sink.data(Buffer.from(JSON.stringify(body)));
    this.sink.end();
    this.closed = true;
  }
}

/**
 * A chat completions request on the tenant's Codex accounts (reference upstream-codex.md §4): the chat
 * request's images and files loaded once (SSRF-guarded), translated to the backend's Responses body,
 * then one upstream request per choice (`n`), in parallel, each on its own rotation (service-kit's
 * `identitySourceFor`/`withRotation`: a 401 refreshed once, a used-up account cooled until it resets,
 * a challenge page or 5xx moved past, up to RETRY_TIMES accounts) until its first words. Their events
 * become chat chunks (`tool_calls` deltas, `reasoning_content`, `finish_reason`), merged by choice index
 * into one stream, or gathered into one `chat.completion` (output rebuilt from the finished items).
 * `stop` and `max_tokens` are cut locally (the upstream is then aborted). One usage event, with the
 * upstream's exact counts (estimated only for a reply cut locally or left by its client).
 */
export async function runCodexChat(request: CodexChatRequest, sink: CodexSink, deps: CodexChatDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const started = now();
  const writer = new AnswerWriter(sink);
  const model = typeof request.body.model === 'string' ? request.body.model : '';
  const publish = (ends: ChoiceEnd[], plan: CodexChatPlan | null, failure: BusError | null) =>
    deps.publishUsage(usageOf(request, model, plan, ends, failure, deps.signal.aborted, started, now()));

  if (request.upstream.kind !== 'pool') {
    const failure = requestFailure('platform_unavailable', "Only a tenant credential can use the tenant's Codex accounts; a ChatGPT token cannot.");
    writer.fail(failure);
    return publish([], null, failure);
  }
  const inlined = await withInlineInputs(request.body, deps.loadInputs);
  const planned = inlined.ok ? planCodexChat(inlined.chat, `${request.tenantId}\0${request.credentialId}`) : inlined;
  if (!planned.ok) {
    writer.fail(planned.failure);
    return publish([], null, planned.failure);
  }
  const plan = planned.plan;
  const identity: CompletionIdentity = { id: newCompletionId(), created: Math.floor(now() / 1000), model: plan.model };
  // One choice failing for good ends the whole answer: the others are aborted with it.
  const answer = new AbortController();
  const signal = AbortSignal.any([deps.signal, answer.signal]);
  let failure: BusError | null = null;
  const fail = (f: BusError) => {
    failure ??= f;
    writer.fail(f);
    answer.abort();
  };

  const ends = await Promise.all(Array.from({ length: plan.choices }, (_, choice) => runChoice(choice)));
  if (!failure && !deps.signal.aborted) {
    const done = ends.filter((e): e is Extract<ChoiceEnd, { kind: 'done' }> => e.kind === 'done');
    const usage = sumChatUsage(done.map((e) => e.usage ?? estimatedFrom(plan, e.guard)));
    if (plan.stream) writer.end((plan.includeUsage ? new ChunkEncoder(identity, true).usage(toOpenAIUsage(usage)) : '') + ChunkEncoder.DONE);
    else writer.json(chatCompletionObject(identity, done.map(choiceOf), toOpenAIUsage(usage)));
  }
  publish(ends, plan, failure);

  async function runChoice(choice: number): Promise<ChoiceEnd> {
    const source = identitySourceFor(request, plan.model, deps.leases, { kind: ACCOUNT_KIND_OF.codex });
    let account: Account | null = null;
    const sent: { guard: ChoiceGuard | null } = { guard: null };
    const rotated = await withRotation(
      source,
      deps.retryTimes,
      (current) => {
        account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
        return attempt(choice, current, sent);
      },
      signal,
    );
    if (rotated.ok) return rotated.value === 'written' ? { kind: 'failed', failure: failure!, guard: sent.guard, account } : { ...rotated.value, account };
    if ('cancelled' in rotated) return { kind: 'cancelled', guard: sent.guard, account };
    fail(rotated.failure);
    return { kind: 'failed', failure: rotated.failure, guard: null, account };
  }

  /**
   * One account's try at one choice: ok once its answer finished (or broke off after its first words
   * and the client was told). `sent.guard` is the attempt's guard, for what a cancelled choice had sent.
   */
  async function attempt(choice: number, current: LeasedAttempt, sent: { guard: ChoiceGuard | null }): Promise<AttemptResult<Omit<Extract<ChoiceEnd, { kind: 'done' }>, 'account'> | 'written'>> {
    const upstream = new AbortController();
    const stop = () => upstream.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const opened = await deps.client.responses({ accessToken: current.identity.accessToken, chatgptAccountId: current.identity.chatgptAccountId }, plan.body, plan.sessionId, upstream.signal);
      const report = (failed: CodexAttemptFailure | null) => {
        if (current.accountId) deps.limits.observed(current.accountId, opened.limits, { force: failed?.failure.error.code === 'usage_limit_reached' });
      };
      if (!opened.ok) {
        report(opened);
        return { ok: false, failure: opened.failure, ...(opened.resetsAtSec !== undefined ? { resetsAtSec: opened.resetsAtSec } : {}) };
      }
      const guard = new ChoiceGuard(identity, plan.includeUsage, plan.stop, plan.maxTokens);
      sent.guard = guard;
      const translator = new ResponsesToChatStream(guard, choice);
      const reader = new ResponsesEventReader();
      let wrote = false;
      // True once nothing more is to be read: a terminal event, or a local cut.
      const take = (events: ReturnType<ResponsesEventReader['push']>): boolean => {
        for (const event of events) {
          const text = translator.push(event);
          if (text) {
            wrote = true;
            if (plan.stream) writer.write(text);
          }
          if (guard.cut || translator.outcome) return true;
        }
        return false;
      };
      let broken: CodexAttemptFailure | null = null;
      try {
        let over = false;
        for await (const chunk of opened.body) {
          if ((over = take(reader.push(chunk)))) break;
          // A slow client: stop reading the upstream until the gateway's window opens again.
          if (plan.stream) await writer.drained();
        }
        if (!over) take(reader.end());
      } catch (err) {
        if (!guard.cut) broken = err instanceof ResponsesStreamError ? { failure: codexUpstreamError(`The Codex backend sent a stream chatgate cannot read: ${err.message}`) } : midStreamFailure(err);
      }
      // Cut locally before the upstream finished: stop reading it, finish the choice here.
      if (guard.cut && !translator.outcome) {
        upstream.abort();
        const text = guard.finish(guard.cut, choice);
        if (plan.stream) writer.write(text);
        report(null);
        return { ok: true, value: { kind: 'done', guard, result: translator.result(), usage: null } };
      }
      if (!broken && !translator.outcome) translator.end();
      const outcome = translator.outcome;
      if (!broken && outcome?.kind === 'finished') {
        report(null);
        return { ok: true, value: { kind: 'done', guard, result: translator.result(), usage: outcome.usage } };
      }
      const failed = broken ?? codexStreamFailure(outcome?.kind === 'failed' ? outcome.error : { code: 'stream_truncated', message: '' }, opened.limits);
      report(failed);
      // After its first words a streamed choice cannot move to another account: the client is told.
      if (plan.stream && wrote && !signal.aborted) {
        fail(failed.failure);
        return { ok: true, value: 'written' };
      }
      return { ok: false, failure: failed.failure, ...(failed.resetsAtSec !== undefined ? { resetsAtSec: failed.resetsAtSec } : {}) };
    } catch (err) {
      return { ok: false, ...(signal.aborted ? { failure: codexStreamCut() } : midStreamFailure(err)) };
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}

/** A transport error once the answer had begun: the idle timeout, or a broken connection. */
function midStreamFailure(err: unknown): CodexAttemptFailure {
  const code = (err as { code?: string })?.code ?? '';
  return { failure: code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' ? codexTimeout() : codexStreamCut() };
}

/** Usage counted from what went out, when the upstream's own count never came (cut locally, or the client left). */
function estimatedFrom(plan: CodexChatPlan, guard: ChoiceGuard): ChatUsageCounts {
  return estimatedUsage(estimatePromptTokens(plan.body), guard.content, guard.reasoning);
}

/** A finished choice for the non-streamed answer: the finished items, or what went out when it was cut locally. */
function choiceOf(end: Extract<ChoiceEnd, { kind: 'done' }>): CompletionChoice {
  const { guard } = end;
  if (guard.cut) return { content: guard.content, reasoning: guard.reasoning, refusal: null, toolCalls: [], finishReason: guard.cut };
  return responseToChatChoice(end.result);
}

function usageOf(request: CodexChatRequest, model: string, plan: CodexChatPlan | null, ends: ChoiceEnd[], failure: BusError | null, cancelled: boolean, started: number, ended: number): UsageEvent {
  const counts = ends.map((end) => {
    if (end.kind === 'done') return end.usage ?? estimatedFrom(plan!, end.guard);
    // What a cancelled choice, or one that broke off after its first words, had sent.
    return end.guard ? estimatedFrom(plan!, end.guard) : null;
  });
  const usage = sumChatUsage(counts);
  const estimated = counts.some((c) => c?.estimated === true);
  const outcome = failure ? 'error' : cancelled ? 'cancelled' : 'ok';
  return usageEvent(request, {
    model,
    kind: 'chat',
    upstream: 'codex',
    account: ends.find((e) => e.account)?.account ?? null,
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    estimated,
    outcome,
    status: failure ? failure.status : cancelled ? CLIENT_CLOSED_STATUS : 200,
    latencyMs: Math.max(0, ended - started),
    at: ended,
  });
}
