import { describe, expect, it } from '@jest/globals';
import type { AccountLeaseReply, AccountReport, BusError, RelayFrame, RelayJob } from '@chatgate/contracts';
import type { ConversationConfig } from '../conversation.config.js';
import type { ConversationContinuity } from '../shared/records/conversation-continuity.js';
import type { ConversationRecord } from '../shared/records/conversation-record.js';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { ChatGptClient, UpstreamIdentity, UpstreamRequest, UpstreamResponse } from '../shared/upstream/chatgpt.client.js';
import { ChatGptWebTarget } from './chatgpt-web.target.js';
import type { RelayRun } from './relay-target.js';

const enc = new TextEncoder();
const CONV = 'conv-1';
const answer = (text: string, status = 'in_progress') =>
  `data: ${JSON.stringify({ message: { id: 'ans-1', author: { role: 'assistant' }, recipient: 'all', content: { content_type: 'text', parts: [text] }, status, metadata: {} }, conversation_id: CONV, error: null })}\n\n`;
const STREAM = [answer('Hello'), answer('Hello there, friend'), answer('Hello there, friend', 'finished_successfully'), 'data: [DONE]\n\n'];
const FAIL_500: BusError = { status: 502, error: { message: 'The upstream failed with status 500.', type: 'upstream_error', param: null, code: 'upstream_error' } };

function body(chunks: Array<string | Error>) {
  return Object.assign(
    (async function* () {
      for (const c of chunks) {
        if (c instanceof Error) throw c;
        yield enc.encode(c);
      }
    })(),
    { destroy: () => undefined },
  );
}

/** An upstream that answers each call with the next scripted response, recording who asked for what. */
function upstream(script: Array<(req: UpstreamRequest) => UpstreamResponse>) {
  const calls: Array<{ token: string; req: UpstreamRequest }> = [];
  const client = {
    send: async (identity: UpstreamIdentity, req: UpstreamRequest) => {
      calls.push({ token: identity.accessToken, req });
      return script[calls.length - 1](req);
    },
  } as unknown as ChatGptClient;
  return { client, calls };
}

/** A pool of accounts `a1`, `a2`, … whose tokens are `token-a1`, …; every report is kept. */
function pool(size: number) {
  const reports: AccountReport[] = [];
  let next = 0;
  const leases = {
    lease: async (): Promise<AccountLeaseReply> => {
      if (next >= size) return { ok: false, failure: { status: 503, error: { message: 'no account', type: 'server_error', param: null, code: 'pool_exhausted' } } };
      next++;
      return { ok: true, lease: { accountId: `a${next}`, accessToken: `token-a${next}`, chatgptAccountId: `ws-a${next}`, deviceId: 'd', label: `a${next}@example.com` } };
    },
    report: async (r: AccountReport) => {
      reports.push(r);
      return { ok: true as const };
    },
  } as unknown as AccountLeaseClient;
  return { leases, reports };
}

const job = (over: Partial<RelayJob> = {}): RelayJob => ({
  requestId: 'r1',
  target: 'chatgpt_web',
  request: { method: 'POST', path: '/backend-api/conversation', query: '', headers: { accept: 'text/event-stream' }, body: Buffer.from(JSON.stringify({ messages: [{ author: { role: 'user' }, content: { content_type: 'text', parts: ['hi there'] } }] })).toString('base64') },
  upstream: { kind: 'pool', tenantId: 't' },
  tenantId: 't',
  credentialId: 'c',
  userId: 'u1',
  userName: 'alice',
  usage: { kind: 'chat', model: 'gpt-4o' },
  caller: { id: 'u1', name: 'alice' },
  ...over,
});

async function run(target: ChatGptWebTarget, j: RelayJob): Promise<{ frames: RelayFrame[]; run: RelayRun }> {
  const frames: RelayFrame[] = [];
  const r: RelayRun = { job: j, abort: new AbortController(), account: null, usage: null, send: (f) => frames.push(f), drained: async () => undefined };
  await target.run(r);
  return { frames, run: r };
}

const bytesOf = (frames: RelayFrame[]) => Buffer.concat(frames.filter((f) => f.t === 'data').map((f) => Buffer.from((f as { bytes: Uint8Array }).bytes))).toString('utf8');
const config = { RETRY_TIMES: 3 } as ConversationConfig;
const sse = (chunks: Array<string | Error>): UpstreamResponse => ({ ok: true, status: 200, headers: { 'content-type': 'text/event-stream', 'set-cookie': 'secret=1' }, body: body(chunks) });

describe('ChatGptWebTarget', () => {
  it('relays the stream unchanged with the leased token, counts its usage, and keeps cookies back', async () => {
    const { client, calls } = upstream([() => sse(STREAM)]);
    const { frames, run: r } = await run(new ChatGptWebTarget(client, pool(2).leases, config), job());
    expect(frames[0]).toEqual({ t: 'head', status: 200, headers: { 'content-type': 'text/event-stream' } });
    expect(bytesOf(frames)).toBe(STREAM.join(''));
    expect(frames[frames.length - 1]).toEqual({ t: 'end' });
    expect(calls[0].token).toBe('token-a1');
    expect(calls[0].req.expectType).toBe('text/event-stream');
    expect(r.account).toEqual({ id: 'a1', label: 'a1@example.com' });
    expect(r.usage?.completionTokens).toBeGreaterThanOrEqual(4);
    expect(r.usage?.promptTokens).toBeGreaterThan(3);
  });

  it('moves to the next account on a failure before the first byte, reporting the first', async () => {
    const { client, calls } = upstream([() => ({ ok: false, failure: FAIL_500 }), () => sse(STREAM)]);
    const p = pool(2);
    const { frames } = await run(new ChatGptWebTarget(client, p.leases, config), job());
    expect(calls.map((c) => c.token)).toEqual(['token-a1', 'token-a2']);
    expect(p.reports).toMatchObject([{ accountId: 'a1', outcome: 'upstream_error', model: 'gpt-4o' }]);
    expect(bytesOf(frames)).toBe(STREAM.join(''));
  });

  it('also rotates when the stream breaks before any byte, but not after one: then the relay is cut', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const early = upstream([() => sse([reset]), () => sse(STREAM)]);
    const first = await run(new ChatGptWebTarget(early.client, pool(2).leases, config), job());
    expect(early.calls).toHaveLength(2);
    expect(first.frames[first.frames.length - 1]).toEqual({ t: 'end' });

    const late = upstream([() => sse([STREAM[0], reset]), () => sse(STREAM)]);
    const second = await run(new ChatGptWebTarget(late.client, pool(2).leases, config), job());
    expect(late.calls).toHaveLength(1);
    expect(second.frames.map((f) => f.t)).toEqual(['head', 'data', 'error']);
    expect(second.frames[2]).toMatchObject({ status: 502, error: { code: 'upstream_stream_cut' } });
    expect(second.run.usage).not.toBeNull();
  });

  it('holds the preamble until the first words, so a cap reported inside the stream still moves to the next account', async () => {
    const preamble = `data: ${JSON.stringify({ type: 'resume_conversation_token', token: 'rct_x', conversation_id: CONV })}\n\n`;
    const capped = `data: ${JSON.stringify({ message: null, conversation_id: CONV, error: 'You have hit the cap', error_code: 'model_cap_exceeded' })}\n\n`;
    const { client, calls } = upstream([() => sse([preamble, capped, 'data: [DONE]\n\n']), () => sse([preamble, ...STREAM])]);
    const p = pool(2);
    const { frames } = await run(new ChatGptWebTarget(client, p.leases, config), job());
    expect(calls.map((c) => c.token)).toEqual(['token-a1', 'token-a2']);
    expect(p.reports).toMatchObject([{ accountId: 'a1', outcome: 'rate_limited' }]);
    // The client got the second account's stream only, whole and in order.
    expect(frames[0]).toMatchObject({ t: 'head', status: 200 });
    expect(bytesOf(frames)).toBe([preamble, ...STREAM].join(''));

    // An error no other account would fix, or one met with a caller's own token, goes to the client as the upstream sent it.
    const own = upstream([() => sse([preamble, capped, 'data: [DONE]\n\n'])]);
    const mine = await run(new ChatGptWebTarget(own.client, pool(0).leases, config), job({ upstream: { kind: 'chatgpt_access_token', accessToken: 'own' }, caller: null }));
    expect(own.calls).toHaveLength(1);
    expect(bytesOf(mine.frames)).toBe([preamble, capped, 'data: [DONE]\n\n'].join(''));
    expect(mine.frames[mine.frames.length - 1]).toEqual({ t: 'end' });
  });

  it("sends the last failure alone when no account can serve, and never rotates a caller's own token", async () => {
    const { client, calls } = upstream([() => ({ ok: false, failure: FAIL_500 }), () => ({ ok: false, failure: FAIL_500 })]);
    const own = await run(new ChatGptWebTarget(client, pool(0).leases, config), job({ upstream: { kind: 'chatgpt_access_token', accessToken: 'own-token' }, caller: null }));
    expect(calls.map((c) => c.token)).toEqual(['own-token']);
    expect(own.frames).toEqual([{ t: 'error', ...FAIL_500 }]);
  });

  it('rewrites an account answer for the caller, and passes it unchanged for an own token', async () => {
    const me = JSON.stringify({ id: 'user-real', email: 'a1@example.com', name: 'a1', picture: 'https://x/p.png', orgs: { data: [{ id: 'org-1', title: 'a1@example.com' }] } });
    const json = (): UpstreamResponse => ({ ok: true, status: 200, headers: { 'content-type': 'application/json' }, body: body([me]) });
    const getMe = { method: 'GET' as const, path: '/backend-api/me', query: '', headers: {} };
    const pooled = await run(new ChatGptWebTarget(upstream([json]).client, pool(1).leases, config), job({ request: getMe, usage: null }));
    const out = JSON.parse(bytesOf(pooled.frames)) as Record<string, unknown>;
    expect(out).toMatchObject({ name: 'alice', email: 'alice@chatgate.invalid', picture: null, orgs: { data: [] } });
    expect(bytesOf(pooled.frames)).not.toContain('a1@example.com');
    expect(bytesOf(pooled.frames)).not.toContain('user-real');

    const own = await run(new ChatGptWebTarget(upstream([json]).client, pool(0).leases, config), job({ request: getMe, usage: null, upstream: { kind: 'chatgpt_access_token', accessToken: 'own' }, caller: null }));
    expect(bytesOf(own.frames)).toBe(me);
  });

  it.each([
    ['GET', '/backend-api/%6de'],
    ['POST', '/backend-api/%63onversation'],
    ['POST', '/backend-api/conversation;x'],
    ['POST', '/backend-api/f/../conversation'],
    ['GET', '/backend-api//me'],
    ['GET', '/backend-api/accounts/check/v4%2F..%2F..%2Fpayments'],
    ['GET', '/backend-api/payments/customer_portal'],
    ['GET', '/backend-api/conversation'],
    ['POST', '/backend-api/me'],
  ] as const)('never sends %s %s upstream: only the paths the gateway serves, in their plain spelling', async (method, path) => {
    const { client, calls } = upstream([]);
    const { frames } = await run(new ChatGptWebTarget(client, pool(1).leases, config), job({ request: { method, path, query: '', headers: {} } }));
    expect(calls).toHaveLength(0);
    expect(frames).toEqual([expect.objectContaining({ t: 'error', status: 404, error: expect.objectContaining({ code: 'unknown_url' }) })]);
  });

  it('refuses an account answer that is not JSON rather than pass it on unread', async () => {
    const html = (): UpstreamResponse => ({ ok: true, status: 200, headers: { 'content-type': 'application/json' }, body: body(['<html>a1@example.com</html>']) });
    const { frames } = await run(new ChatGptWebTarget(upstream([html]).client, pool(1).leases, { RETRY_TIMES: 1 } as ConversationConfig), job({ request: { method: 'GET', path: '/backend-api/me', query: '', headers: {} }, usage: null }));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ t: 'error', status: 502 });
    expect(JSON.stringify(frames)).not.toContain('a1@example.com');
  });

  describe('with conversation records', () => {
    const named = (conversationId: string) => ({ ...job(), request: { ...job().request, body: Buffer.from(JSON.stringify({ conversation_id: conversationId, parent_message_id: 'p', messages: [{ author: { role: 'user' }, content: { content_type: 'text', parts: ['more'] } }] })).toString('base64') } });
    /** Records that answer `named` with the given reply and keep every finished turn. */
    function records(reply: Awaited<ReturnType<ConversationContinuity['named']>>) {
      const finished: Array<Parameters<ConversationContinuity['webFinished']>[1]> = [];
      const asked: string[] = [];
      const fake = {
        named: async (_who: unknown, id: string) => {
          asked.push(id);
          return reply;
        },
        webFinished: (_job: RelayJob, turn: Parameters<ConversationContinuity['webFinished']>[1]) => finished.push(turn),
      } as unknown as ConversationContinuity;
      return { fake, finished, asked };
    }
    /** A pool that leases only the accounts a request allows, recording what it was asked for. */
    function allowingPool() {
      const allowed: Array<string[] | undefined> = [];
      const leases = {
        lease: async (req: { allowed?: string[] }): Promise<AccountLeaseReply> => {
          allowed.push(req.allowed);
          const id = req.allowed?.[0] ?? 'a1';
          return { ok: true, lease: { accountId: id, accessToken: `token-${id}`, chatgptAccountId: null, deviceId: 'd', label: id } };
        },
        report: async () => ({ ok: true as const }),
      } as unknown as AccountLeaseClient;
      return { leases, allowed };
    }

    it("refuses another user's recorded conversation before any account is leased or the upstream asked", async () => {
      const { client, calls } = upstream([() => sse(STREAM)]);
      const notFound: BusError = { status: 404, error: { message: 'No conversation', type: 'invalid_request_error', param: null, code: 'conversation_not_found' } };
      const recs = records({ refused: notFound });
      const p = allowingPool();
      const { frames } = await run(new ChatGptWebTarget(client, p.leases, config, recs.fake), named('theirs'));
      expect(frames).toEqual([{ t: 'error', ...notFound }]);
      expect(recs.asked).toEqual(['theirs']);
      expect(calls).toHaveLength(0);
      expect(p.allowed).toHaveLength(0);
    });

    it('sends a recorded conversation to the account holding it and records the finished turn as a continuation', async () => {
      const { client, calls } = upstream([() => sse(STREAM)]);
      const recs = records({ record: { accountId: 'a7' } as ConversationRecord });
      const p = allowingPool();
      const { frames } = await run(new ChatGptWebTarget(client, p.leases, config, recs.fake), named(CONV));
      expect(frames[frames.length - 1]).toEqual({ t: 'end' });
      expect(p.allowed[0]).toEqual(['a7']);
      expect(calls[0].token).toBe('token-a7');
      expect(recs.finished).toEqual([
        { sent: [{ role: 'user', content: 'more' }], continued: true, answer: { conversationId: CONV, messageId: 'ans-1', answer: 'Hello there, friend', title: null, accountId: 'a7' } },
      ]);
    });

    it('records a new conversation with its whole history, and nothing for a temporary chat', async () => {
      const recs = records(null);
      const fresh = await run(new ChatGptWebTarget(upstream([() => sse(STREAM)]).client, pool(1).leases, config, recs.fake), job());
      expect(fresh.frames[fresh.frames.length - 1]).toEqual({ t: 'end' });
      // Nothing named: no lookup.
      expect(recs.asked).toEqual([]);
      expect(recs.finished).toEqual([{ sent: [{ role: 'user', content: 'hi there' }], continued: false, answer: { conversationId: CONV, messageId: 'ans-1', answer: 'Hello there, friend', title: null, accountId: 'a1' } }]);

      const temporary = job({ request: { ...job().request, body: Buffer.from(JSON.stringify({ history_and_training_disabled: true, messages: [{ author: { role: 'user' }, content: { content_type: 'text', parts: ['x'] } }] })).toString('base64') } });
      await run(new ChatGptWebTarget(upstream([() => sse(STREAM)]).client, pool(1).leases, config, recs.fake), temporary);
      expect(recs.finished).toHaveLength(1);
    });
  });
});
