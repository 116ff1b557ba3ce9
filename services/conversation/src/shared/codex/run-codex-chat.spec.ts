import { describe, expect, it } from '@jest/globals';
import type { AccountLease, AccountLeaseRequest, AccountReport, BusError, UsageEvent } from '@chatgate/contracts';
import { codexHttpFailure } from './codex-failure.js';
import type { CodexLimits } from './codex-limits.js';
import type { CodexStreamAnswer } from './codex.client.js';
import { runCodexChat, type CodexChatDeps, type CodexChatRequest } from './run-codex-chat.js';

const NOW_SEC = 1_800_000_000;
const LIMITS: CodexLimits = { plan: 'plus', primary: { usedPercent: 12, windowMinutes: 300, resetAtSec: NOW_SEC + 60 }, secondary: null, credits: null };

type Event = Record<string, unknown> & { type: string };
const usage = (input: number, output: number, extra: { cached?: number; reasoning?: number } = {}) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: extra.cached ?? 0 },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: extra.reasoning ?? 0 },
  total_tokens: input + output,
});

/** A text answer as the backend streams it (deltas, then the finished item; the completed event's output empty, the 2026 quirk). */
function textEvents(parts: string[], u = usage(10, 5)): Event[] {
  const text = parts.join('');
  return [
    { type: 'response.created', response: { id: 'resp_1', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } },
    { type: 'response.content_part.added', output_index: 0, item_id: 'msg_1', content_index: 0, part: { type: 'output_text', text: '' } },
    ...parts.map((delta) => ({ type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta })),
    { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] } },
    { type: 'response.completed', response: { id: 'resp_1', output: [], usage: u } },
  ];
}

function toolEvents(name: string, args: string): Event[] {
  const item = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name, arguments: '' };
  return [
    { type: 'response.created', response: { id: 'resp_2', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item },
    { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: args.slice(0, 5) },
    { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: args.slice(5) },
    { type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: args } },
    { type: 'response.completed', response: { id: 'resp_2', output: [], usage: usage(20, 8) } },
  ];
}

const sse = (events: Event[]) => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

/** An upstream answer: the events' bytes (split in two to cross chunk boundaries), optionally breaking off after them. */
function stream(events: Event[], opts: { breakOff?: boolean; onRead?: () => void } = {}): CodexStreamAnswer {
  const text = sse(events);
  const body = {
    async *[Symbol.asyncIterator]() {
      const half = Math.floor(text.length / 2);
      for (const part of [text.slice(0, half), text.slice(half)]) {
        opts.onRead?.();
        yield new TextEncoder().encode(part);
      }
      if (opts.breakOff) throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    },
    destroy() {},
  };
  return { ok: true, body, limits: LIMITS };
}

function failed(status: number, body: unknown, headers: Record<string, string> = {}): CodexStreamAnswer {
  return { ok: false, ...codexHttpFailure(status, headers, typeof body === 'string' ? body : JSON.stringify(body), 'gpt-5.4', LIMITS, NOW_SEC), limits: LIMITS };
}

type Answer = CodexStreamAnswer | ((signal: AbortSignal) => Promise<CodexStreamAnswer>);

function harness(answers: Answer[], opts: { refreshed?: boolean } = {}) {
  const leases: AccountLeaseRequest[] = [];
  const reports: AccountReport[] = [];
  const events: UsageEvent[] = [];
  const limits: Array<{ accountId: string; force?: boolean }> = [];
  const calls: Array<{ token: string; account: string | null; body: Record<string, unknown>; session: string; signal: AbortSignal }> = [];
  const client = new AbortController();
  const lease = (id: string, token = `tok-${id}`): AccountLease => ({ accountId: id, accessToken: token, chatgptAccountId: `chatgpt-${id}`, deviceId: 'd', label: `${id}@example.com`, codex: { plan: 'plus' } });
  const deps: CodexChatDeps = {
    retryTimes: 3,
    signal: client.signal,
    leases: {
      lease: async (r) => {
        leases.push({ ...r, exclude: [...r.exclude] });
        return { ok: true, lease: lease(`a${leases.length}`) };
      },
      report: async (r) => {
        reports.push(r);
        return { ok: true, lease: r.outcome === 'unauthorized' && opts.refreshed ? lease(r.accountId, `fresh-${r.accountId}`) : null };
      },
    },
    client: {
      responses: async (identity, body, session, signal) => {
        calls.push({ token: identity.accessToken, account: identity.chatgptAccountId, body, session, signal });
        const next = answers.shift();
        if (!next) throw new Error('no more answers');
        return typeof next === 'function' ? next(signal) : next;
      },
    },
    limits: { observed: (accountId, _l, o) => limits.push({ accountId, force: o?.force }) },
    loadInputs: async (sources) => ({
      ok: true,
      files: sources.map(() => ({ bytes: Buffer.from('PNG!'), sha256: 'x', name: 'cat.png', mimeType: 'image/png', image: { width: 1, height: 1 } })),
    }),
    publishUsage: (e) => events.push(e),
    now: () => NOW_SEC * 1000,
  };
  const out: { head?: { status: number; headers: Record<string, string> }; data: string; ended: boolean; error?: BusError } = { data: '', ended: false };
  const sink = {
    head: (status: number, headers: Record<string, string>) => (out.head = { status, headers }),
    data: (b: Uint8Array) => (out.data += new TextDecoder().decode(b)),
    end: () => (out.ended = true),
    error: (f: BusError) => (out.error = f),
  };
  return { deps, sink, out, leases, reports, events, limits, calls, client };
}

const request = (body: Record<string, unknown>): CodexChatRequest => ({
  requestId: 'req-1',
  tenantId: 't',
  credentialId: 'cred',
  userId: 'u',
  userName: 'ann',
  upstream: { kind: 'pool', tenantId: 't' },
  body: { model: 'gpt-5.4', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], ...body },
});

interface Chunk {
  object?: string;
  model?: string;
  usage?: Record<string, unknown> | null;
  error?: Record<string, unknown>;
  choices: Array<{ index: number; finish_reason: string | null; delta: { content?: string; tool_calls?: Array<{ function: { arguments: string } }> } & Record<string, unknown> }>;
}

/** The JSON of every `data:` line but `[DONE]`. */
function chunks(data: string): Chunk[] {
  return data
    .split('\n\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
}

describe('runCodexChat', () => {
  it('streams text as OpenAI chunks, the usage chunk when asked, and one usage event with the upstream counts', async () => {
    const h = harness([stream(textEvents(['Hel', 'lo', '!'], usage(11, 4, { cached: 3, reasoning: 1 })))]);
    await runCodexChat(request({ stream: true, stream_options: { include_usage: true } }), h.sink, h.deps);
    expect(h.out.head).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'text/event-stream; charset=utf-8' }) });
    expect(h.out.ended).toBe(true);
    expect(h.out.data.endsWith('data: [DONE]\n\n')).toBe(true);
    const all = chunks(h.out.data);
    expect(all[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(all.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello!');
    expect(all.at(-2)!.choices[0]).toMatchObject({ finish_reason: 'stop' });
    expect(all.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 1 } } });
    expect(all.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-5.4' && 'usage' in c)).toBe(true);

    // What went upstream: the Codex body, on a codex lease.
    const [call] = h.calls;
    expect(call.account).toBe('chatgpt-a1');
    expect(call.body).toMatchObject({ model: 'gpt-5.4', instructions: 'Be brief.', store: false, stream: true, include: ['reasoning.encrypted_content'], reasoning: { summary: 'auto' } });
    expect(call.body.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }]);
    expect(call.body.prompt_cache_key).toBe(call.session);
    expect(h.leases[0]).toMatchObject({ kind: 'codex', model: 'gpt-5.4', tenantId: 't' });
    expect(h.limits).toEqual([{ accountId: 'a1', force: false }]);
    expect(h.events).toEqual([expect.objectContaining({ upstream: 'codex', kind: 'chat', model: 'gpt-5.4', accountId: 'a1', promptTokens: 11, completionTokens: 4, estimated: false, outcome: 'ok', status: 200 })]);
  });

  it('answers one chat.completion with tool calls (content null, finish_reason tool_calls)', async () => {
    const h = harness([stream(toolEvents('get_weather', '{"city":"Paris"}'))]);
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    await runCodexChat(request({ tools, tool_choice: 'auto' }), h.sink, h.deps);
    expect(h.out.head?.headers['content-type']).toBe('application/json');
    const answer = JSON.parse(h.out.data);
    expect(answer).toMatchObject({ object: 'chat.completion', model: 'gpt-5.4', usage: { prompt_tokens: 20, completion_tokens: 8 } });
    expect(answer.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    });
    expect(h.calls[0].body.tools).toEqual([{ type: 'function', name: 'get_weather', parameters: tools[0].function.parameters, strict: false }]);
  });

  it('streams tool calls as deltas: id, type and name once, then the arguments', async () => {
    const h = harness([stream(toolEvents('lookup', '{"q":"alpha beta"}'))]);
    await runCodexChat(request({ stream: true, tools: [{ type: 'function', function: { name: 'lookup' } }] }), h.sink, h.deps);
    const all = chunks(h.out.data);
    expect(all[0].choices[0].delta).toEqual({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }], refusal: null });
    const args = all.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).map((t) => t.function.arguments).join('');
    expect(args).toBe('{"q":"alpha beta"}');
    expect(all.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
  });

  it('runs n choices as n upstream requests, merged by index, usage summed', async () => {
    const h = harness([stream(textEvents(['one'], usage(10, 1))), stream(textEvents(['two'], usage(10, 2)))]);
    await runCodexChat(request({ n: 2, stream: true, stream_options: { include_usage: true } }), h.sink, h.deps);
    const all = chunks(h.out.data);
    const text = (i: number) => all.map((c) => c.choices.find((x) => x.index === i)?.delta?.content ?? '').join('');
    expect([text(0), text(1)].sort()).toEqual(['one', 'two']);
    expect(all.filter((c) => c.choices[0]?.finish_reason === 'stop').map((c) => c.choices[0].index).sort()).toEqual([0, 1]);
    expect(all.at(-1)!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 3 });
    expect(h.calls).toHaveLength(2);
    expect(h.events[0]).toMatchObject({ promptTokens: 20, completionTokens: 3 });

    const flat = harness([stream(textEvents(['one'])), stream(textEvents(['two']))]);
    await runCodexChat(request({ n: 2 }), flat.sink, flat.deps);
    expect((JSON.parse(flat.out.data) as { choices: Array<{ index: number; message: { content: string } }> }).choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, 'one'],
      [1, 'two'],
    ]);
  });

  it('cools a used-up account until its resets_at and moves on; a challenge page moves on too', async () => {
    const h = harness([
      failed(429, { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', resets_at: NOW_SEC + 600, resets_in_seconds: 600 } }),
      failed(403, '<!DOCTYPE html><title>Just a moment...</title>', { 'cf-mitigated': 'challenge' }),
      stream(textEvents(['fine'])),
    ]);
    await runCodexChat(request({}), h.sink, h.deps);
    expect(JSON.parse(h.out.data).choices[0].message.content).toBe('fine');
    expect(h.reports.map((r) => [r.accountId, r.outcome, r.resetsAtSec])).toEqual([
      ['a1', 'usage_limited', NOW_SEC + 600],
      ['a2', 'forbidden', undefined],
    ]);
    expect(h.reports[1].message).toContain('challenge');
    expect(h.leases.map((l) => l.exclude)).toEqual([[], ['a1'], ['a1', 'a2']]);
    expect(h.limits).toEqual([
      { accountId: 'a1', force: true },
      { accountId: 'a2', force: false },
      { accountId: 'a3', force: false },
    ]);
    expect(h.events[0]).toMatchObject({ accountId: 'a3', outcome: 'ok' });
  });

  it('refreshes a refused login once and retries the same account with the fresh token', async () => {
    const h = harness([failed(401, { error: { code: 'token_expired', message: 'expired' } }), stream(textEvents(['ok']))], { refreshed: true });
    await runCodexChat(request({}), h.sink, h.deps);
    expect(h.calls.map((c) => c.token)).toEqual(['tok-a1', 'fresh-a1']);
    expect(h.reports.map((r) => r.outcome)).toEqual(['unauthorized']);
    expect(h.leases).toHaveLength(1);
  });

  it('gives the last failure (a model no plan offers: 404) when every account failed', async () => {
    const lacks = { detail: "The 'gpt-5.4' model is not supported when using Codex with a ChatGPT account." };
    const h = harness([failed(400, lacks), failed(400, lacks), failed(400, lacks)]);
    await runCodexChat(request({}), h.sink, h.deps);
    expect(h.out.head).toBeUndefined();
    expect(h.out.error).toMatchObject({ status: 404, error: { code: 'model_not_found' } });
    expect(h.reports.map((r) => r.outcome)).toEqual(['model_not_found', 'model_not_found', 'model_not_found']);
    expect(h.events[0]).toMatchObject({ outcome: 'error', status: 404, promptTokens: 0 });
  });

  it('cuts at a stop sequence locally, aborts the upstream, and counts what went out', async () => {
    let aborted: AbortSignal | null = null;
    const h = harness([
      async (signal) => {
        aborted = signal;
        return stream(textEvents(['Hello wor', 'ld. ST', 'OP and more', ' text']));
      },
    ]);
    await runCodexChat(request({ stream: true, stop: ['STOP'] }), h.sink, h.deps);
    const all = chunks(h.out.data);
    expect(all.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello world. ');
    expect(all.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(aborted!.aborted).toBe(true);
    expect(h.events[0]).toMatchObject({ estimated: true, outcome: 'ok' });
    expect(h.events[0].completionTokens).toBeGreaterThan(0);
  });

  it('cuts at max_tokens locally with finish_reason length, without sending the field upstream', async () => {
    const h = harness([stream(textEvents(['one two three four five six seven eight nine ten eleven twelve']))]);
    await runCodexChat(request({ max_tokens: 3 }), h.sink, h.deps);
    const answer = JSON.parse(h.out.data);
    expect(answer.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'one two three' } });
    expect(h.calls[0].body).not.toHaveProperty('max_output_tokens');
    expect(h.events[0]).toMatchObject({ completionTokens: 3, estimated: true });
  });

  it('refuses what neither the backend nor chatgate can do with a 400 naming the field, before any lease', async () => {
    for (const [body, param] of [
      [{ logprobs: true }, 'logprobs'],
      [{ temperature: 0.2 }, 'temperature'],
      [{ n: 9 }, 'n'],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages[0].content[0].type'],
    ] as const) {
      const h = harness([]);
      await runCodexChat(request(body), h.sink, h.deps);
      expect({ param, error: h.out.error }).toEqual({ param, error: expect.objectContaining({ status: 400, error: expect.objectContaining({ param, type: 'invalid_request_error' }) }) });
      expect(h.leases).toHaveLength(0);
      expect(h.events[0]).toMatchObject({ outcome: 'error', status: 400, upstream: 'codex' });
    }
  });

  it('sends images as data URLs (loaded by the input loader) and maps reasoning_effort', async () => {
    const h = harness([stream(textEvents(['a cat']))]);
    await runCodexChat(
      request({ reasoning_effort: 'xhigh', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] }] }),
      h.sink,
      h.deps,
    );
    expect(h.calls[0].body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is it?' }, { type: 'input_image', image_url: `data:image/png;base64,${Buffer.from('PNG!').toString('base64')}`, detail: 'low' }] },
    ]);
    expect(h.calls[0].body.reasoning).toEqual({ effort: 'xhigh', summary: 'auto' });
  });

  it('tells a streaming client of a break after the first words (no other account), with an error chunk and [DONE]', async () => {
    const events = textEvents(['partial ', 'answer']).slice(0, 4);
    const h = harness([stream(events, { breakOff: true })]);
    await runCodexChat(request({ stream: true }), h.sink, h.deps);
    expect(h.calls).toHaveLength(1);
    expect(h.out.data).toContain('partial ');
    expect(chunks(h.out.data).at(-1)).toEqual({ error: expect.objectContaining({ code: 'upstream_stream_cut' }) });
    expect(h.out.data.endsWith('data: [DONE]\n\n')).toBe(true);
    // What went out before the break is counted (estimated: the upstream's count never came).
    expect(h.events[0]).toMatchObject({ outcome: 'error', status: 502, estimated: true });
    expect(h.events[0].completionTokens).toBeGreaterThan(0);
  });

  it('aborts the upstream when the client goes away, and counts the reply as cancelled', async () => {
    let upstream: AbortSignal | null = null;
    const h = harness([]);
    h.deps.client = {
      responses: async (_identity, _body, _session, signal) => {
        upstream = signal;
        const text = sse(textEvents(['so far']).slice(0, 4));
        return {
          ok: true,
          limits: null,
          body: {
            async *[Symbol.asyncIterator]() {
              yield new TextEncoder().encode(text);
              h.client.abort();
              // As undici does: the body fails once its request is aborted.
              await new Promise((_, reject) => {
                const fail = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
                if (signal.aborted) fail();
                else signal.addEventListener('abort', fail);
              });
            },
            destroy() {},
          },
        };
      },
    };
    await runCodexChat(request({ stream: true }), h.sink, h.deps);
    expect(upstream!.aborted).toBe(true);
    expect(h.out.ended).toBe(false);
    expect(h.events[0]).toMatchObject({ outcome: 'cancelled', status: 499, estimated: true });
  });
});
