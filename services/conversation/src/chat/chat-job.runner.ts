import { ConversationStreamDecoder, type UpstreamEvent } from '@chatgate/protocol';
import type { BusError, ChatFinishReason, ChatFrame, ChatJob } from '@chatgate/contracts';
import type { ChatGptClient } from '../upstream/chatgpt.client.js';
import { buildConversationRequest } from '../upstream/conversation-request.js';
import { upstreamHandoff, upstreamStreamCut, upstreamStreamError, upstreamTimeout, upstreamUnreachable } from '../upstream/upstream-errors.js';
import type { ModelTable } from '../models/model-table.js';
import { countUsage } from './token-counter.js';

export interface JobContext {
  readonly job: ChatJob;
  readonly abort: AbortController;
  send(frame: ChatFrame): void;
}

export interface RunnerDeps {
  client: ChatGptClient;
  models: ModelTable;
  v1Encoding: boolean;
}

const FINISH: Record<'stop' | 'length' | 'interrupted', ChatFinishReason> = { stop: 'stop', length: 'length', interrupted: 'stop' };

/** What one upstream chunk changed: text to forward, and whether the turn ended. */
interface Step {
  content: string;
  reasoning: string;
  finish: ChatFinishReason | null;
  failure: BusError | null;
  streamEnded: boolean;
}

function fold(events: UpstreamEvent[], step: Step): void {
  for (const ev of events) {
    switch (ev.type) {
      case 'text':
        if (ev.channel === 'answer') step.content += ev.delta;
        else step.reasoning += ev.delta;
        break;
      case 'answer_finished':
        step.finish = FINISH[ev.reason];
        break;
      case 'moderation':
        if (ev.blocked) step.finish = 'content_filter';
        break;
      case 'error':
        step.failure ??= upstreamStreamError(ev.message, ev.code);
        break;
      case 'handoff':
        step.failure ??= upstreamHandoff();
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

/**
 * Runs one job: the upstream request, the decoded stream as delta frames (one frame per upstream
 * chunk, whatever number of events it held), and exactly one final `end` or `error` frame.
 */
export async function runChatJob(ctx: JobContext, deps: RunnerDeps): Promise<void> {
  const { job, abort } = ctx;
  let answer = '';
  let reasoning = '';
  let responded = false;
  let finish: ChatFinishReason | null = null;
  const decoder = new ConversationStreamDecoder();

  const apply = (events: UpstreamEvent[]): { failure: BusError | null; ended: boolean } => {
    const step: Step = { content: '', reasoning: '', finish: null, failure: null, streamEnded: false };
    fold(events, step);
    if (step.content || step.reasoning) {
      const frame: ChatFrame = { t: 'delta' };
      if (step.content) frame.content = step.content;
      if (step.reasoning) frame.reasoning = step.reasoning;
      ctx.send(frame);
      answer += step.content;
      reasoning += step.reasoning;
    }
    if (step.finish) finish = step.finish;
    return { failure: step.failure, ended: step.streamEnded || step.finish === 'content_filter' };
  };

  try {
    const body = buildConversationRequest(job, deps.models.resolve(job.model), { v1Encoding: deps.v1Encoding });
    const res = await deps.client.openConversation(job.upstream, body, abort.signal);
    if (!res.ok) return ctx.send({ t: 'error', ...res.failure });
    responded = true;

    let outcome = { failure: null as BusError | null, ended: false };
    const chunks = res.body[Symbol.asyncIterator]();
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      outcome = apply(decoder.push(next.value));
      if (outcome.failure || outcome.ended) break;
    }
    if (!outcome.failure && !outcome.ended) outcome = apply(decoder.end());
    if (outcome.failure) {
      res.body.destroy();
      return ctx.send({ t: 'error', ...outcome.failure });
    }
    if (!outcome.ended && finish === null) return ctx.send({ t: 'error', ...upstreamStreamCut() });
    // The turn is over; whatever the upstream still sends is read off in the background so the
    // keep-alive connection goes back to the pool instead of being torn down.
    if (outcome.ended) void drain(chunks, res.body);

    ctx.send({
      t: 'end',
      finishReason: finish ?? 'stop',
      usage: countUsage(job.messages, answer, reasoning),
      conversationId: decoder.conversationId,
      messageId: decoder.answerMessageId,
    });
  } catch (err) {
    // Cancelled by the gateway: nobody is listening any more.
    if (abort.signal.aborted) return;
    ctx.send({ t: 'error', ...failureOf(err, responded) });
  }
}
