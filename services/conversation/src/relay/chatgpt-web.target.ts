import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConversationStreamDecoder, type UpstreamEvent } from '@chatgate/protocol';
import { dataFrames, outcomeOf, unknownUrl, upstreamReported, upstreamStreamCut, upstreamUnreadable, webRelayKindOf, type ChatMessage, type RelayJob } from '@chatgate/contracts';
import { identitySourceFor, transportFailure, withRotation, type AccountLeases, type AttemptResult, type IdentitySource } from '@chatgate/service-kit';
import { countUsage } from '../shared/text/token-counter.js';
import { PoolLeases } from '../shared/leases/pool-leases.js';
import { ChatGptClient, type UpstreamIdentity, type UpstreamRequest } from '../shared/upstream/chatgpt.client.js';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../conversation.config.js';
import { ConversationContinuity } from '../shared/records/conversation-continuity.js';
import { callerIdentity, identifiersOfToken, rewriteForCaller } from './account-identity.js';
import type { RelayRun, RelayTarget } from './relay-target.js';
import { promptMessagesOf } from './web-prompt.js';

/** Account answers (`me`, `models`, `accounts/check`) are small JSON; anything bigger is not one. */
const ANSWER_LIMIT = 1024 * 1024;
/** Response headers a client of the web protocol may see; everything else (cookies, hop-by-hop, lengths) stays behind. */
const SAFE_HEADERS = ['content-type', 'cache-control', 'content-language', 'x-accel-buffering'];
/** A stream's preamble is held until the model's first words; past this many bytes it goes out anyway. */
const HOLD_LIMIT = 256 * 1024;

function safeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SAFE_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** An attempt that reached the client (whatever happened after), or the client left: nothing to rotate. */
const DELIVERED: AttemptResult<void> = { ok: true, value: undefined };

/**
 * The ChatGPT web backend as a relay target. The account is leased exactly as for a chat job (same
 * identity sources, rotation before the first byte, failure outcomes); its token and workspace
 * replace the caller's credential. A conversation's event stream goes to the client byte for byte
 * while a copy is decoded to count usage; account answers are rewritten for the caller.
 */
@Injectable()
export class ChatGptWebTarget implements RelayTarget {
  readonly name = 'chatgpt_web' as const;

  constructor(
    private readonly client: ChatGptClient,
    @Inject(PoolLeases) private readonly leases: AccountLeases,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    /** Conversation records: which account holds a named conversation, and the record a finished turn leaves. */
    @Optional() private readonly records?: ConversationContinuity,
  ) {}

  async run(run: RelayRun): Promise<void> {
    const { job } = run;
    const body = job.request.body !== undefined ? Buffer.from(job.request.body, 'base64') : undefined;
    // Only the paths the gateway serves, in their one plain spelling: a job naming anything else (an
    // encoded `%63onversation`, a gateway of another version, a forged job) never reaches the upstream,
    // so the checks tied to a path (isolation and pinning for a conversation, the rewrite of `me`) always apply.
    const kind = webRelayKindOf(job.request.path);
    if (kind === null || (kind === 'conversation') !== (job.request.method === 'POST')) {
      return run.send({ t: 'error', ...unknownUrl(`chatgate does not relay ${job.request.method} ${job.request.path.slice(0, 200)} to the ChatGPT web backend.`) });
    }
    const conversation = kind === 'conversation';
    const request: UpstreamRequest = {
      method: job.request.method,
      path: job.request.path,
      query: job.request.query,
      headers: job.request.headers,
      body,
      expectType: conversation ? 'text/event-stream' : 'application/json',
    };
    const parsed = conversation ? webConversationOf(body) : null;
    // A recorded conversation goes to the account holding it (the upstream knows it nowhere else); an
    // isolated user naming another user's is a 404, exactly as for chat.
    let pinned: string | null = null;
    if (parsed?.conversationId && this.records) {
      const named = await this.records.named(job, parsed.conversationId);
      if (named && 'refused' in named) return run.send({ t: 'error', ...named.refused });
      pinned = named?.record.accountId ?? null;
    }
    const result = await withRotation(
      this.sourceFor(job, pinned),
      this.config.RETRY_TIMES,
      (current) => {
        run.account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
        return parsed ? this.stream(run, current.identity, request, parsed) : this.answer(run, current.identity, request, current.accountLabel);
      },
      run.abort.signal,
    );
    if (!result.ok && 'failure' in result) run.send({ t: 'error', ...result.failure });
  }

  private sourceFor(job: RelayJob, onlyAccount: string | null): IdentitySource {
    // The model steers the lease as for chat: accounts cooling down for it, or whose plan lacks it, are skipped.
    return identitySourceFor(job, job.usage?.model ?? 'auto', this.leases, { onlyAccount });
  }

  /**
   * A conversation: the upstream's bytes unchanged, a decoded copy for usage. As for a chat job, the
   * reply reaches the client with the model's first words: until then the bytes (the stream's
   * preamble: resume token, hidden documents, the echoed message) are held, so a failure before
   * them (an error status, a reset, or an account cap reported inside the stream) can still move
   * to another account. Whatever is held goes out unchanged and in order.
   */
  private async stream(run: RelayRun, identity: UpstreamIdentity, request: UpstreamRequest, sent: WebConversation): Promise<AttemptResult<void>> {
    const { prompt } = sent;
    const decoder = new ConversationStreamDecoder();
    let answer = '';
    let reasoning = '';
    // Decoding must never disturb the relay: a chunk the decoder cannot read is passed on uncounted.
    const read = (next: () => UpstreamEvent[]): UpstreamEvent[] => {
      try {
        return next();
      } catch {
        return [];
      }
    };
    let title: string | null = null;
    const count = (events: UpstreamEvent[]) => {
      for (const ev of events) {
        if (ev.type === 'title') title = ev.title;
        if (ev.type !== 'text') continue;
        if (ev.channel === 'answer') answer += ev.delta;
        else reasoning += ev.delta;
      }
    };
    // Counted once at the end (or when cut), on what reached the client: the tokenizer is not free.
    const tally = () => {
      const usage = countUsage(prompt, answer, reasoning);
      run.usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, estimated: true };
    };
    let held: Uint8Array[] = [];
    let heldBytes = 0;
    let started = false;
    let responded = false;
    let status = 200;
    let headers: Record<string, string> = {};
    const flush = () => {
      if (!started) {
        started = true;
        run.send({ t: 'head', status, headers });
      }
      for (const chunk of held) for (const frame of dataFrames(chunk)) run.send(frame);
      held = [];
      heldBytes = 0;
    };
    try {
      const res = await this.client.send(identity, request, run.abort.signal);
      if (!res.ok) return { ok: false, failure: res.failure };
      responded = true;
      status = res.status;
      headers = safeHeaders(res.headers);
      for await (const chunk of res.body) {
        const events = read(() => decoder.push(chunk));
        count(events);
        if (started) {
          for (const frame of dataFrames(chunk)) run.send(frame);
          await run.drained();
          continue;
        }
        const early = events.find((ev) => ev.type === 'error');
        if (early?.type === 'error') {
          const failure = upstreamReported(early.message, early.code);
          // Another pool account may serve it (a cap, a rate limit): nothing has reached the client yet.
          // A caller's own token has no other account: its stream goes on unchanged.
          if (outcomeOf(failure) && run.job.upstream.kind === 'pool') {
            res.body.destroy();
            return { ok: false, failure };
          }
        }
        held.push(chunk);
        heldBytes += chunk.length;
        if (early || heldBytes > HOLD_LIMIT || events.some((ev) => ev.type === 'text' || ev.type === 'handoff')) flush();
      }
      count(read(() => decoder.end()));
      if (!started && !heldBytes) return { ok: false, failure: upstreamStreamCut() };
      flush();
      tally();
      run.send({ t: 'end' });
      if (this.records && !sent.historyDisabled && decoder.conversationId && decoder.answerMessageId) {
        this.records.webFinished(run.job, {
          sent: prompt,
          continued: sent.conversationId !== null,
          answer: { conversationId: decoder.conversationId, messageId: decoder.answerMessageId, answer, title, accountId: run.account?.id ?? null },
        });
      }
      return DELIVERED;
    } catch (err) {
      if (started) tally();
      // Cancelled by the gateway: nobody is listening any more (usage keeps what was delivered).
      if (run.abort.signal.aborted) return DELIVERED;
      const failure = transportFailure(err, responded);
      if (!started) return { ok: false, failure };
      run.send({ t: 'error', ...failure });
      return DELIVERED;
    }
  }

  /** A small JSON answer, read whole; for a gateway user, rewritten so it names them and not the account. */
  private async answer(run: RelayRun, identity: UpstreamIdentity, request: UpstreamRequest, accountLabel: string | null): Promise<AttemptResult<void>> {
    const { job } = run;
    let bytes: Buffer;
    let status: number;
    let headers: Record<string, string>;
    try {
      const res = await this.client.send(identity, request, run.abort.signal);
      if (!res.ok) return { ok: false, failure: res.failure };
      status = res.status;
      headers = safeHeaders(res.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > ANSWER_LIMIT) {
          res.body.destroy();
          return { ok: false, failure: upstreamUnreadable('more than an account answer holds') };
        }
        chunks.push(Buffer.from(chunk));
      }
      bytes = Buffer.concat(chunks);
    } catch (err) {
      if (run.abort.signal.aborted) return DELIVERED;
      return { ok: false, failure: transportFailure(err, false) };
    }
    if (job.caller) {
      const parsed = parseJson(bytes);
      if (parsed === undefined) return { ok: false, failure: upstreamUnreadable('JSON that could not be read') };
      const known = identifiersOfToken(identity.accessToken);
      if (identity.chatgptAccountId) known.accountIds.push(identity.chatgptAccountId);
      if (accountLabel?.includes('@')) known.emails.push(accountLabel);
      bytes = Buffer.from(JSON.stringify(rewriteForCaller(request.path, parsed, known, callerIdentity(job.caller))));
    }
    run.send({ t: 'head', status, headers: { ...headers, 'content-type': 'application/json' } });
    for (const frame of dataFrames(bytes)) run.send(frame);
    run.send({ t: 'end' });
    return DELIVERED;
  }
}

function parseJson(bytes: Buffer | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** What the worker reads of a web-protocol conversation body: the conversation it continues, history on or off, the messages. */
interface WebConversation {
  conversationId: string | null;
  historyDisabled: boolean;
  prompt: ChatMessage[];
}

function webConversationOf(body: Buffer | undefined): WebConversation {
  const parsed = parseJson(body) as { conversation_id?: unknown; history_and_training_disabled?: unknown } | undefined;
  const id = parsed?.conversation_id;
  return {
    conversationId: typeof id === 'string' && id !== '' ? id : null,
    historyDisabled: parsed?.history_and_training_disabled === true,
    prompt: promptMessagesOf(parsed),
  };
}
