import { ConversationStreamDecoder, StopSequenceCutter, type UpstreamEvent } from '@chatgate/protocol';
import { unsupportedHandoff, upstreamReported, upstreamStreamCut, type BusError, type ChatFinishReason, type ChatFrame, type ChatJob } from '@chatgate/contracts';
import { identitySourceFor, transportFailure, withRotation, type AccountLeases, type AttemptResult, type IdentitySource, type LeasedAttempt } from '@chatgate/service-kit';
import type { ChatGptClient, UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';
import { buildConversationRequest } from '../shared/upstream/conversation-request.js';
import type { AttemptUploads } from '../shared/uploads/attempt-uploads.js';
import type { InputLoader, PreparedMessage } from '../shared/uploads/input-loader.js';
import { isReasoningSlug, type ModelTable, type ResolvedModel } from '@chatgate/contracts';
import { countUsage } from '../shared/text/token-counter.js';
import { TokenBudget } from '../shared/text/token-budget.js';
import { ReplyRenderer, type ReasoningInline } from './render/reply-renderer.js';
import type { FileLinks } from '../shared/files/file-links.js';
import type { Continuation, ConversationHooks, FinishedAnswer } from '../shared/records/conversation-hooks.js';

export interface JobContext {
  readonly job: ChatJob;
  readonly abort: AbortController;
  /** The pool account of the current attempt (for the usage event), null for the caller's own token. */
  account: { id: string; label: string | null } | null;
  send(frame: ChatFrame): void;
  /** Resolves once the client has read enough (flow control): awaited before reading more of the upstream. */
  drained(): Promise<void>;
}

export interface RunnerDeps {
  client: ChatGptClient;
  models: ModelTable;
  leases: AccountLeases;
  v1Encoding: boolean;
  retryTimes: number;
  /** Conversation records: which upstream conversation a job continues, and what a finished turn leaves. */
  conversations?: ConversationHooks;
  /** Renders tool traffic, citations and files for the client; absent: they are dropped. */
  render?: {
    inline: ReasoningInline;
    links(ctx: JobContext, slug: string, decoder: ConversationStreamDecoder): FileLinks;
    /** After the stream: images of asynchronous image tasks (files/late-images.ts). */
    lateImages?(ctx: JobContext, identity: UpstreamIdentity, conversationId: string | null, renderer: ReplyRenderer): Promise<UpstreamEvent[]>;
  };
  /** Images and files of the messages: fetched once per job, uploaded per attempt's account. */
  inputs?: { loader: InputLoader; uploads: AttemptUploads };
}

export type { Continuation, ConversationHooks, FinishedAnswer };

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
        step.failure ??= upstreamReported(ev.message, ev.code);
        break;
      case 'handoff':
        step.failure ??= unsupportedHandoff();
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

/** An attempt that reached the client (whatever happened after), or the client left: nothing to rotate. */
const DELIVERED: AttemptResult<void> = { ok: true, value: undefined };

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

/**
 * Characters of text per delta frame. A frame is one NATS message (`max_payload`, 1 MiB by default)
 * and JSON takes up to 6 bytes for a character (`\u` escapes), so a frame stays well under it.
 */
export const DELTA_MAX_CHARS = 64 * 1024;

/** `text` in pieces of at most DELTA_MAX_CHARS, never between the halves of a surrogate pair. */
export function piecesOf(text: string, max = DELTA_MAX_CHARS): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}

/**
 * One upstream request with one identity: the decoded stream as delta frames (one frame per
 * upstream chunk, whatever number of events it held), then exactly one `end` or `error` frame —
 * unless it fails before anything reached the client, which the caller may retry elsewhere.
 */
async function attempt(ctx: JobContext, deps: RunnerDeps, identity: UpstreamIdentity, body: unknown, slug: string): Promise<AttemptResult<void>> {
  const { job, abort } = ctx;
  let answer = '';
  let reasoning = '';
  let delivered = false;
  let responded = false;
  let finish: ChatFinishReason | null = null;
  let title: string | null = null;
  const decoder = new ConversationStreamDecoder({ tools: deps.render !== undefined });
  const renderer = deps.render ? new ReplyRenderer(deps.render.links(ctx, slug, decoder), deps.render.inline) : null;
  const decode = (events: UpstreamEvent[]) => (renderer ? renderer.render(events) : events);
  // max_tokens spends reasoning only on a reasoning model: gpt-4o's limit is its answer's.
  const reasons = isReasoningSlug(slug);
  const budget = job.maxTokens ? new TokenBudget(job.maxTokens, reasons) : null;
  // Chat's `stop`, which the upstream has no field for: cut here, before the limit counts the text.
  const stops = job.stop?.length ? new StopSequenceCutter(job.stop) : null;
  // The ids ride on a delta only when they change (the gateway repeats them on every chunk), and
  // never for a temporary chat, which the client cannot continue.
  let sentConversation: string | null = null;
  let sentMessage: string | null = null;

  const sendOneDelta = (content: string, thinking: string) => {
    const frame: ChatFrame = { t: 'delta' };
    if (content) frame.content = content;
    if (thinking) frame.reasoning = thinking;
    if (!job.historyDisabled) {
      if (decoder.conversationId !== sentConversation) frame.conversationId = sentConversation = decoder.conversationId;
      if (decoder.answerMessageId !== sentMessage) frame.messageId = sentMessage = decoder.answerMessageId;
    }
    ctx.send(frame);
  };
  // A frame is one NATS message: a whole non-streamed answer (or a large rendered chunk) goes as several.
  const sendDelta = (content: string, thinking: string) => {
    if (content.length + thinking.length <= DELTA_MAX_CHARS) return sendOneDelta(content, thinking);
    for (const piece of piecesOf(thinking)) sendOneDelta('', piece);
    for (const piece of piecesOf(content)) sendOneDelta(piece, '');
  };

  const apply = (events: UpstreamEvent[], last = false): { failure: BusError | null; ended: boolean; cut: boolean } => {
    const step: Step = { content: '', reasoning: '', finish: null, failure: null, streamEnded: false, moderationMessage: null, title: null };
    fold(events, step);
    if (step.title) title = step.title;
    if (step.moderationMessage) step.content += (answer || step.content ? '\n\n' : '') + step.moderationMessage;
    if (stops) {
      step.content = stops.take(step.content);
      // The turn is over (or the stream is): what was held back as a possible stop sequence was not one.
      if (!stops.stopped && (last || step.streamEnded || step.finish !== null)) step.content += stops.end();
    }
    if (budget) {
      step.reasoning = budget.take('reasoning', step.reasoning);
      step.content = budget.take('answer', step.content);
      if (budget.exhausted) step.finish = 'length';
    }
    if (stops?.stopped && !budget?.exhausted) step.finish = 'stop';
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
    const cut = budget?.exhausted === true || stops?.stopped === true;
    return { failure: step.failure, ended: step.streamEnded || step.finish === 'content_filter' || cut, cut };
  };
  const fail = (failure: BusError): AttemptResult<void> => {
    if (!delivered) return { ok: false, failure };
    ctx.send({ t: 'error', ...failure });
    return DELIVERED;
  };

  try {
    const res = await deps.client.openConversation(identity, body, abort.signal);
    if (!res.ok) return { ok: false, failure: res.failure };
    responded = true;

    let outcome = { failure: null as BusError | null, ended: false, cut: false };
    const chunks = res.body[Symbol.asyncIterator]();
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      outcome = apply(decode(decoder.push(next.value)));
      if (outcome.failure || outcome.ended) break;
      await ctx.drained();
    }
    if (!outcome.failure && !outcome.ended) outcome = apply(decode(decoder.end()));
    // Held back as a possible stop sequence when the stream ended without saying so.
    if (stops && !stops.stopped && !outcome.failure && !outcome.cut) outcome = { ...apply([], true), ended: outcome.ended };
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
    if (!outcome.cut && renderer?.awaitingImages && deps.render?.lateImages) apply(await deps.render.lateImages(ctx, identity, decoder.conversationId, renderer));

    if (!job.stream && (answer || reasoning)) sendDelta(answer, reasoning);
    ctx.send({
      t: 'end',
      finishReason: finish ?? 'stop',
      // A model that does not reason is billed for its answer, as OpenAI bills it: a thinking preamble the web
      // upstream shows is passed on but not counted, so max_tokens still bounds what a budget's hold covers.
      usage: countUsage(job.messages, answer, reasons ? reasoning : ''),
      conversationId: decoder.conversationId,
      messageId: decoder.answerMessageId,
    });
    if (deps.conversations && !job.historyDisabled && decoder.conversationId && decoder.answerMessageId) {
      deps.conversations.finished(job, { conversationId: decoder.conversationId, messageId: decoder.answerMessageId, answer, title, accountId: ctx.account?.id ?? null });
    }
    return DELIVERED;
  } catch (err) {
    // Cancelled by the gateway: nobody is listening any more.
    if (abort.signal.aborted) return DELIVERED;
    return fail(transportFailure(err, responded));
  }
}

/** A continued conversation lives on one account: lease that one or none. */
function sourceFor(job: ChatJob, slug: string, deps: RunnerDeps, onlyAccount: string | null = null): IdentitySource {
  return identitySourceFor(job, slug, deps.leases, { onlyAccount });
}

/** A job's images and files, fetched before any account is leased (null: a text-only job), or the client's 400. */
async function prepareInputs(deps: RunnerDeps, job: ChatJob): Promise<{ ok: true; files: PreparedMessage[] | null } | { ok: false; failure: BusError }> {
  if (!deps.inputs) return { ok: true, files: null };
  const prepared = await deps.inputs.loader.prepare(job);
  return prepared.ok ? { ok: true, files: prepared.messages } : prepared;
}

/**
 * Runs one job's request with accounts from the source in turn (withRotation: a pool request that
 * fails before its first byte moves to the next account, up to RETRY_TIMES accounts, a 401 first
 * getting one refresh of the same account). Images and files are put upstream with each attempt's
 * own account first. Returns null once something reached the client (or it left), else the failure
 * the client should get.
 */
async function tryAccounts(ctx: JobContext, deps: RunnerDeps, job: ChatJob, model: ResolvedModel, files: PreparedMessage[] | null, source: IdentitySource): Promise<BusError | null> {
  const body = files ? null : buildConversationRequest(job, model, { v1Encoding: deps.v1Encoding });
  /** The request for one attempt: with files, they are first put upstream with that attempt's account. */
  const bodyFor = async (current: LeasedAttempt): Promise<{ ok: true; body: unknown } | { ok: false; failure: BusError }> => {
    if (body || !files || !deps.inputs) return { ok: true, body };
    const uploaded = await deps.inputs.uploads.upload(current, files, ctx.abort.signal);
    if (!uploaded.ok) return uploaded;
    return { ok: true, body: buildConversationRequest(job, model, { v1Encoding: deps.v1Encoding, contents: uploaded.messages }) };
  };
  const result = await withRotation(source, deps.retryTimes, async (current): Promise<AttemptResult<void>> => {
    ctx.account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
    const request = await bodyFor(current).catch((err: unknown) => {
      if (ctx.abort.signal.aborted) return null;
      throw err;
    });
    // Cancelled during an upload: nobody is listening any more.
    if (!request) return DELIVERED;
    return request.ok ? attempt(ctx, deps, current.identity, request.body, model.slug) : request;
  }, ctx.abort.signal);
  return result.ok || !('failure' in result) ? null : result.failure;
}

/**
 * Runs one job. A job that continues a recorded conversation (its ids, or a history matching one)
 * first goes to the account holding it with only the new message; if that account cannot take it
 * (cooling, gone, failing before the first byte), the job runs as sent: the whole history, any account.
 * After the first byte nothing is retried: the client already has part of an answer.
 */
export async function runChatJob(ctx: JobContext, deps: RunnerDeps): Promise<void> {
  const { job } = ctx;
  // The gateway resolved the model (its limits counted that); a job without it is resolved here.
  const resolved = job.resolvedModel ?? deps.models.resolve(job.model);
  if ('ok' in resolved && !resolved.ok) return ctx.send({ t: 'error', ...resolved.failure });
  const { slug, gizmoId } = resolved as ResolvedModel;
  const model: ResolvedModel = { slug, gizmoId };
  const continuation = deps.conversations && !job.historyDisabled ? await deps.conversations.continuation(job) : null;
  if (continuation && 'refused' in continuation) return ctx.send({ t: 'error', ...continuation.refused });
  if (continuation) {
    const continued: ChatJob = { ...job, conversationId: continuation.conversationId, parentMessageId: continuation.parentMessageId };
    // Only the new message goes up, so only its images and files are fetched.
    const inputs = await prepareInputs(deps, continued);
    if (!inputs.ok) return ctx.send({ t: 'error', ...inputs.failure });
    const failure = await tryAccounts(ctx, deps, continued, model, inputs.files, sourceFor(job, model.slug, deps, continuation.accountId));
    if (!failure) return;
  }
  const inputs = await prepareInputs(deps, job);
  if (!inputs.ok) return ctx.send({ t: 'error', ...inputs.failure });
  const failure = await tryAccounts(ctx, deps, job, model, inputs.files, sourceFor(job, model.slug, deps));
  if (failure) ctx.send({ t: 'error', ...failure });
}
