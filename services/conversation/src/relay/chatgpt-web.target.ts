import { Inject, Injectable } from '@nestjs/common';
import { ConversationStreamDecoder, type UpstreamEvent } from '@chatgate/protocol';
import { dataFrames, type BusError, type RelayJob } from '@chatgate/contracts';
import { ownTokenSource, poolSource, type IdentitySource } from '../chat/identity-source.js';
import { withRotation, type AttemptResult } from '../chat/rotation.js';
import { countUsage } from '../chat/token-counter.js';
import { AccountLeaseClient } from '../upstream/account-lease.client.js';
import { ChatGptClient, type UpstreamIdentity, type UpstreamRequest } from '../upstream/chatgpt.client.js';
import { upstreamStreamCut, upstreamTimeout, upstreamUnreachable } from '../upstream/upstream-errors.js';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../conversation.config.js';
import { callerIdentity, identifiersOfToken, rewriteForCaller } from './account-identity.js';
import type { RelayRun, RelayTarget } from './relay-target.js';
import { promptMessagesOf } from './web-prompt.js';

/** Account answers (`me`, `models`, `accounts/check`) are small JSON; anything bigger is not one. */
const ANSWER_LIMIT = 1024 * 1024;
/** Response headers a client of the web protocol may see; everything else (cookies, hop-by-hop, lengths) stays behind. */
const SAFE_HEADERS = ['content-type', 'cache-control', 'content-language', 'x-accel-buffering'];
const CONVERSATION_PATH = /^\/backend-api\/(f\/)?conversation$/;

function safeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SAFE_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function transportFailure(err: unknown, responded: boolean): BusError {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return upstreamTimeout();
  if (responded) return upstreamStreamCut();
  return upstreamUnreachable(code || (err instanceof Error ? err.message : 'unknown error'));
}

const notAnAnswer = (why: string): BusError => ({ status: 502, error: { message: `The upstream answered with ${why}.`, type: 'upstream_error', param: null, code: 'upstream_error' } });

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
    private readonly leases: AccountLeaseClient,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  async run(run: RelayRun): Promise<void> {
    const { job } = run;
    const body = job.request.body !== undefined ? Buffer.from(job.request.body, 'base64') : undefined;
    const conversation = job.request.method === 'POST' && CONVERSATION_PATH.test(job.request.path);
    const request: UpstreamRequest = {
      method: job.request.method,
      path: job.request.path,
      query: job.request.query,
      headers: job.request.headers,
      body,
      expectType: conversation ? 'text/event-stream' : 'application/json',
    };
    const failure = await withRotation(this.sourceFor(job), this.config.RETRY_TIMES, run.abort.signal, (current) => {
      run.account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
      return conversation ? this.stream(run, current.identity, request) : this.answer(run, current.identity, request, current.accountLabel);
    });
    if (failure) run.send({ t: 'error', ...failure });
  }

  private sourceFor(job: RelayJob): IdentitySource {
    const { upstream } = job;
    // The model steers the lease as for chat: accounts cooling down for it, or whose plan lacks it, are skipped.
    if (upstream.kind === 'pool') return poolSource(job, upstream.tenantId, job.usage?.model ?? 'auto', this.leases);
    return ownTokenSource({ upstream });
  }

  /** A conversation: the upstream's bytes unchanged, a decoded copy for usage; head with the first byte so a failure before it can rotate. */
  private async stream(run: RelayRun, identity: UpstreamIdentity, request: UpstreamRequest): Promise<AttemptResult> {
    const prompt = promptMessagesOf(parseJson(request.body));
    const decoder = new ConversationStreamDecoder();
    let answer = '';
    let reasoning = '';
    // Counting must never disturb the relay: a chunk the decoder cannot read is passed on uncounted.
    const count = (read: () => UpstreamEvent[]) => {
      let events: UpstreamEvent[];
      try {
        events = read();
      } catch {
        return;
      }
      for (const ev of events) {
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
    let started = false;
    let responded = false;
    try {
      const res = await this.client.send(identity, request, run.abort.signal);
      if (!res.ok) return { delivered: false, failure: res.failure };
      responded = true;
      for await (const chunk of res.body) {
        if (!started) {
          started = true;
          run.send({ t: 'head', status: res.status, headers: safeHeaders(res.headers) });
        }
        for (const frame of dataFrames(chunk)) run.send(frame);
        count(() => decoder.push(chunk));
      }
      if (!started) return { delivered: false, failure: upstreamStreamCut() };
      count(() => decoder.end());
      tally();
      run.send({ t: 'end' });
      return { delivered: true };
    } catch (err) {
      if (started) tally();
      // Cancelled by the gateway: nobody is listening any more (usage keeps what was delivered).
      if (run.abort.signal.aborted) return { delivered: true };
      const failure = transportFailure(err, responded);
      if (!started) return { delivered: false, failure };
      run.send({ t: 'error', ...failure });
      return { delivered: true };
    }
  }

  /** A small JSON answer, read whole; for a gateway user, rewritten so it names them and not the account. */
  private async answer(run: RelayRun, identity: UpstreamIdentity, request: UpstreamRequest, accountLabel: string | null): Promise<AttemptResult> {
    const { job } = run;
    let bytes: Buffer;
    let status: number;
    let headers: Record<string, string>;
    try {
      const res = await this.client.send(identity, request, run.abort.signal);
      if (!res.ok) return { delivered: false, failure: res.failure };
      status = res.status;
      headers = safeHeaders(res.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > ANSWER_LIMIT) {
          res.body.destroy();
          return { delivered: false, failure: notAnAnswer('more than an account answer holds') };
        }
        chunks.push(Buffer.from(chunk));
      }
      bytes = Buffer.concat(chunks);
    } catch (err) {
      if (run.abort.signal.aborted) return { delivered: true };
      return { delivered: false, failure: transportFailure(err, false) };
    }
    if (job.caller) {
      const parsed = parseJson(bytes);
      if (parsed === undefined) return { delivered: false, failure: notAnAnswer('JSON that could not be read') };
      const known = identifiersOfToken(identity.accessToken);
      if (identity.chatgptAccountId) known.accountIds.push(identity.chatgptAccountId);
      if (accountLabel?.includes('@')) known.emails.push(accountLabel);
      bytes = Buffer.from(JSON.stringify(rewriteForCaller(request.path, parsed, known, callerIdentity(job.caller))));
    }
    run.send({ t: 'head', status, headers: { ...headers, 'content-type': 'application/json' } });
    for (const frame of dataFrames(bytes)) run.send(frame);
    run.send({ t: 'end' });
    return { delivered: true };
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
