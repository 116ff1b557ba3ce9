import { ConversationStreamDecoder, type UpstreamEvent } from '@chatgate/protocol';
import type { BusError, ChatFinishReason, ChatFrame, ChatJob } from '@chatgate/contracts';
import type { AccountLeaseClient } from '../upstream/account-lease.client.js';
import type { ChatGptClient, UpstreamIdentity } from '../upstream/chatgpt.client.js';
import { buildConversationRequest } from '../upstream/conversation-request.js';
import { upstreamHandoff, upstreamStreamCut, upstreamStreamError, upstreamTimeout, upstreamUnreachable } from '../upstream/upstream-errors.js';
import type { ModelTable } from '../models/model-table.js';
import { ownTokenSource, poolSource, type Attempt, type IdentitySource } from './identity-source.js';
import { outcomeOf } from './failure-outcome.js';
import { countUsage } from './token-counter.js';
import { TokenBudget } from './token-budget.js';

export interface JobContext {
  readonly job: ChatJob;
  readonly abort: AbortController;
  /** The pool account of the current attempt (for the usage event), null for the caller's own token. */
  account: { id: string; label: string | null } | null;
  send(frame: ChatFrame): void;
}

export interface RunnerDeps {
  client: ChatGptClient;
  models: ModelTable;
  leases: AccountLeaseClient;
  v1Encoding: boolean;
  retryTimes: number;
  /** Conversation records: which upstream conversation a job continues, and what a finished turn leaves. */
  conversations?: ConversationHooks;
}

/** An upstream conversation a job continues, on the pool account that holds it (null: the job's own identity). */
export interface Continuation {
  conversationId: string;
  parentMessageId: string;
  accountId: string | null;
}

/** A turn the upstream finished with history on. */
export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  /** The answer as the client received it. */
  answer: string;
  title: string | null;
  accountId: string | null;
}

export interface ConversationHooks {
  /** The conversation to continue, null to run the job as sent, or why the job may not run (another user's conversation). */
  continuation(job: ChatJob): Promise<Continuation | { refused: BusError } | null>;
  /** Called right after the `end` frame and not awaited: recording never delays or fails the reply. */
  finished(job: ChatJob, answer: FinishedAnswer): void;
}

const FINISH: Record<'stop' | 'length' | 'interrupted', ChatFinishReason> = { stop: 'stop', length: 'length', interrupted: 'stop' };

/** What one upstream chunk changed: text to forward, and whether the turn ended. */
interface Step {
  content: string;
  reasoning: string;
  finish: ChatFinishReason | null;
  failure: BusError | null;
  streamEnded: boolean;
  /** What a blocking moderation event said, shown to the client as the reply's last words. */
  moderationMessage: string | null;
  title: string | null;
}

function fold(events: UpstreamEvent[], step: Step): void {
  for (const ev of events) {
    switch (ev.type) {
      case 'text':
        if (ev.channel === 'answer') step.content += ev.delta;
        else step.reasoning += ev.delta;
        break;
      case 'answer_finished':
        // A blocked answer is closed as `interrupted` right after the moderation event, often in
        // the same chunk: the block is the reason the client must see.
        if (step.finish !== 'content_filter') step.finish = FINISH[ev.reason];
        break;
      case 'moderation':
        if (ev.blocked) {
          step.finish = 'content_filter';
          step.moderationMessage = ev.message;
        }
        break;
      case 'error':
        step.failure ??= upstreamStreamError(ev.message, ev.code);
        break;
      case 'handoff':
        step.failure ??= upstreamHandoff();
        break;
      case 'title':
        step.title = ev.title;
        break;
      case 'complete':
      case 'done':
        step.streamEnded = true;
        break;
      default:
        break;
    }
  }
}

function failureOf(err: unknown, responded: boolean): BusError {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return upstreamTimeout();
  if (responded) return upstreamStreamCut();
  return upstreamUnreachable(code || (err instanceof Error ? err.message : 'unknown error'));
}

/** Reads the rest of a finished reply (a few bytes after `[DONE]`), bounded, then lets go. */
async function drain(chunks: AsyncIterator<Uint8Array>, body: { destroy(err?: Error): void }): Promise<void> {
  const timer = setTimeout(() => body.destroy(), 5000);
  try {
    let bytes = 0;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      bytes += next.value.length;
      if (bytes > 64 * 1024) {
        body.destroy();
        break;
      }
    }
  } catch {
    // the connection went away meanwhile: nothing to keep
  } finally {
    clearTimeout(timer);
  }
}

/** An attempt either reached the client (whatever happened after) or failed before its first byte. */
type AttemptResult = { delivered: true } | { delivered: false; failure: BusError };

/**
 * One upstream request with one identity: the decoded stream as delta frames (one frame per
 * upstream chunk, whatever number of events it held), then exactly one `end` or `error` frame —
 * unless it fails before anything reached the client, which the caller may retry elsewhere.
 */
async function attempt(ctx: JobContext, deps: RunnerDeps, identity: UpstreamIdentity, body: unknown): Promise<AttemptResult> {
  const { job, abort } = ctx;
  let answer = '';
  let reasoning = '';
  let delivered = false;
  let responded = false;
  let finish: ChatFinishReason | null = null;
  let title: string | null = null;
  const decoder = new ConversationStreamDecoder();
  const budget = job.maxTokens ? new TokenBudget(job.maxTokens) : null;
  // The ids ride on a delta only when they change (the gateway repeats them on every chunk), and
  // never for a temporary chat, which the client cannot continue.
  let sentConversation: string | null = null;
  let sentMessage: string | null = null;

  const sendDelta = (content: string, thinking: string) => {
    const frame: ChatFrame = { t: 'delta' };
    if (content) frame.content = content;
    if (thinking) frame.reasoning = thinking;
    if (!job.historyDisabled) {
      if (decoder.conversationId !== sentConversation) frame.conversationId = sentConversation = decoder.conversationId;
      if (decoder.answerMessageId !== sentMessage) frame.messageId = sentMessage = decoder.answerMessageId;
    }
    ctx.send(frame);
  };

  const apply = (events: UpstreamEvent[]): { failure: BusError | null; ended: boolean; cut: boolean } => {
    const step: Step = { content: '', reasoning: '', finish: null, failure: null, streamEnded: false, moderationMessage: null, title: null };
    fold(events, step);
    if (step.title) title = step.title;
    if (step.moderationMessage) step.content += (answer || step.content ? '\n\n' : '') + step.moderationMessage;
    if (budget) {
      step.reasoning = budget.take('reasoning', step.reasoning);
      step.content = budget.take('answer', step.content);
      if (budget.exhausted) step.finish = 'length';
    }
    if (step.content || step.reasoning) {
      answer += step.content;
      reasoning += step.reasoning;
      // A non-streamed reply reaches the client only at the end, so until then it may still move
      // to another account; a stream has reached the client with its first delta.
      if (job.stream) {
        sendDelta(step.content, step.reasoning);
        delivered = true;
      }
    }
    if (step.finish) finish = step.finish;
    const cut = budget?.exhausted === true;
    return { failure: step.failure, ended: step.streamEnded || step.finish === 'content_filter' || cut, cut };
  };
  const fail = (failure: BusError): AttemptResult => {
    if (!delivered) return { delivered: false, failure };
    ctx.send({ t: 'error', ...failure });
    return { delivered: true };
  };

  try {
    const res = await deps.client.openConversation(identity, body, abort.signal);
    if (!res.ok) return { delivered: false, failure: res.failure };
    responded = true;

    let outcome = { failure: null as BusError | null, ended: false, cut: false };
    const chunks = res.body[Symbol.asyncIterator]();
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      outcome = apply(decoder.push(next.value));
      if (outcome.failure || outcome.ended) break;
    }
    if (!outcome.failure && !outcome.ended) outcome = apply(decoder.end());
    if (outcome.failure) {
      res.body.destroy();
      return fail(outcome.failure);
    }
    if (!outcome.ended && finish === null) return fail(upstreamStreamCut());
    // Cut at max_tokens: the upstream is still generating, so the request is aborted. Otherwise the
    // turn is over; whatever the upstream still sends is read off in the background so the
    // keep-alive connection goes back to the pool instead of being torn down.
    if (outcome.cut) res.body.destroy();
    else if (outcome.ended) void drain(chunks, res.body);

    if (!job.stream && (answer || reasoning)) sendDelta(answer, reasoning);
    ctx.send({
      t: 'end',
      finishReason: finish ?? 'stop',
      usage: countUsage(job.messages, answer, reasoning),
      conversationId: decoder.conversationId,
      messageId: decoder.answerMessageId,
    });
    if (deps.conversations && !job.historyDisabled && decoder.conversationId && decoder.answerMessageId) {
      deps.conversations.finished(job, { conversationId: decoder.conversationId, messageId: decoder.answerMessageId, answer, title, accountId: ctx.account?.id ?? null });
    }
    return { delivered: true };
  } catch (err) {
    // Cancelled by the gateway: nobody is listening any more.
    if (abort.signal.aborted) return { delivered: true };
    return fail(failureOf(err, responded));
  }
}

function sourceFor(job: ChatJob, slug: string, deps: RunnerDeps, onlyAccount: string | null = null): IdentitySource {
  const upstream = job.upstream;
  if (upstream.kind === 'pool') {
    // A continued conversation lives on one account: lease that one or none.
    const pinned = onlyAccount ? { ...job, upstream: { ...upstream, accountIds: [onlyAccount] } } : job;
    return poolSource(pinned, upstream.tenantId, slug, deps.leases);
  }
  return ownTokenSource({ ...job, upstream });
}

/** How a run of attempts ended: something reached the client (or it left), or the last failure. */
type AttemptsResult = { done: true } | { done: false; failure: BusError };

/**
 * Tries accounts from the source in turn. A pool request that fails before its first byte moves to
 * the next account, up to RETRY_TIMES accounts (a 401 first gets one refresh of the same account).
 * After the first byte nothing is retried: the client already has part of an answer.
 */
async function tryAccounts(ctx: JobContext, deps: RunnerDeps, body: unknown, source: IdentitySource): Promise<AttemptsResult> {
  let lastFailure: BusError | null = null;

  for (let accounts = 0; accounts < deps.retryTimes; accounts++) {
    let current: Attempt = await source.next();
    if (!current.ok) {
      // An exhausted pool: a cooling pool's 429 says when it frees up; otherwise the last real error.
      const poolFailure = current.failure;
      return { done: false, failure: lastFailure && poolFailure.status !== 429 ? lastFailure : poolFailure };
    }
    for (;;) {
      ctx.account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
      const result = await attempt(ctx, deps, current.identity, body);
      if (result.delivered || ctx.abort.signal.aborted) return { done: true };
      lastFailure = result.failure;
      if (!source.rotates || !outcomeOf(result.failure)) return { done: false, failure: result.failure };
      const retry: Attempt | null = await source.failed(current, result.failure);
      // No second chance for this account (or its refresh failed): the next account, if any.
      if (!retry || !retry.ok) break;
      current = retry;
    }
  }
  return { done: false, failure: lastFailure! };
}

/**
 * Runs one job. A job that continues a recorded conversation (its ids, or a history matching one)
 * first goes to the account holding it with only the new message; if that account cannot take it
 * (cooling, gone, failing before the first byte), the job runs as sent: the whole history, any account.
 */
export async function runChatJob(ctx: JobContext, deps: RunnerDeps): Promise<void> {
  const { job } = ctx;
  const model = deps.models.resolve(job.model);
  const continuation = deps.conversations && !job.historyDisabled ? await deps.conversations.continuation(job) : null;
  if (continuation && 'refused' in continuation) return ctx.send({ t: 'error', ...continuation.refused });
  if (continuation) {
    const continued: ChatJob = { ...job, conversationId: continuation.conversationId, parentMessageId: continuation.parentMessageId };
    const body = buildConversationRequest(continued, model, { v1Encoding: deps.v1Encoding });
    const result = await tryAccounts(ctx, deps, body, sourceFor(job, model.slug, deps, continuation.accountId));
    if (result.done) return;
  }
  const body = buildConversationRequest(job, model, { v1Encoding: deps.v1Encoding });
  const result = await tryAccounts(ctx, deps, body, sourceFor(job, model.slug, deps));
  if (!result.done) ctx.send({ t: 'error', ...result.failure });
}
