import { describe, expect, it } from '@jest/globals';
import type { AccountLease, AccountLeaseRequest, AccountReport, BusError, UsageEvent } from '@chatgate/contracts';
import { AddressRefusedError } from '@chatgate/service-kit';
import type { PlatformResponse } from './platform-http.js';
import { runPlatformRequest, type PlatformDeps } from './run-platform-request.js';
import type { PlatformRequest } from './platform-request.js';
import type { PlatformUsage } from './platform-usage.js';

const request: PlatformRequest = { requestId: 'req-1', path: '/chat/completions', body: { model: 'gpt-4o', messages: [] }, tenantId: 't', credentialId: 'c', userId: null, userName: null };

function body(parts: string[], failAfter = false): PlatformResponse['body'] {
  return {
    async *[Symbol.asyncIterator]() {
      for (const p of parts) yield new TextEncoder().encode(p);
      if (failAfter) throw new Error('socket hang up');
    },
    destroy() {},
  };
}

/** Keys k1, k2, k3 in turn; each answer comes from `answers` in order (an Error is a connection failure). */
function harness(answers: Array<PlatformResponse | Error>) {
  const leases: AccountLeaseRequest[] = [];
  const reports: AccountReport[] = [];
  const events: UsageEvent[] = [];
  const sent: string[] = [];
  const deps: PlatformDeps = {
    retryTimes: 3,
    leases: {
      lease: async (r) => {
        leases.push(r);
        const id = `k${leases.length}`;
        const lease: AccountLease = { accountId: id, accessToken: `sk-${id}`, chatgptAccountId: null, deviceId: 'd', label: id, platform: { baseUrl: 'http://x/v1', organization: null, apiStyle: 'openai', apiVersion: null } };
        return { ok: true, lease };
      },
      report: async (r) => {
        reports.push(r);
        return { ok: true, lease: null };
      },
    },
    http: {
      send: async (lease) => {
        sent.push(lease.accountId);
        const next = answers.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
    },
    publishUsage: (e) => events.push(e),
  };
  const out: { head?: number; data: string; end?: PlatformUsage | null; error?: BusError } = { data: '' };
  const sink = {
    head: (status: number) => (out.head = status),
    data: (b: Uint8Array) => (out.data += new TextDecoder().decode(b)),
    end: (u: PlatformUsage | null) => (out.end = u),
    error: (f: BusError) => (out.error = f),
  };
  return { deps, sink, out, leases, reports, events, sent };
}

/** A 200 JSON answer in `parts`, a turn of the event loop apart, each read noted in `order` as `read <i>`. */
function jsonInParts(parts: string[], order: string[]): PlatformResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: {
      async *[Symbol.asyncIterator]() {
        for (const [i, part] of parts.entries()) {
          order.push(`read ${i}`);
          await new Promise((r) => setImmediate(r));
          yield new TextEncoder().encode(part);
        }
      },
      destroy() {},
    },
  };
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): PlatformResponse => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: body([JSON.stringify(value)]) });

describe('runPlatformRequest', () => {
  it('rotates past a refused key, a rate-limited one and a dead connection, reporting each, excluding tried keys', async () => {
    const h = harness([json(401, { error: { message: 'Incorrect API key provided: sk-abcdefghijkl' } }), json(429, { error: { message: 'slow down' } }, { 'retry-after': '12' }), new Error('ECONNRESET')]);
    h.deps.retryTimes = 3;
    await runPlatformRequest(request, h.sink, h.deps);
    expect(h.reports.map((r) => [r.accountId, r.outcome, r.clearsInSec])).toEqual([
      ['k1', 'unauthorized', undefined],
      ['k2', 'rate_limited', 12],
      ['k3', 'upstream_error', undefined],
    ]);
    expect(h.reports[0].message).not.toContain('sk-abcdefghijkl');
    expect(h.leases.map((l) => [l.kind, l.exclude])).toEqual([
      ['api_key', []],
      ['api_key', ['k1']],
      ['api_key', ['k1', 'k2']],
    ]);
    expect(h.out.head).toBeUndefined();
    expect(h.out.error).toMatchObject({ status: 502, error: { code: 'upstream_unavailable' } });
    expect(h.events[0]).toMatchObject({ outcome: 'error', upstream: 'platform', kind: 'chat', accountId: 'k3' });
  });

  it('passes a client error through unchanged, without trying another key', async () => {
    const h = harness([json(400, { error: { message: 'bad', param: 'messages' } })]);
    await runPlatformRequest(request, h.sink, h.deps);
    expect(h.out).toMatchObject({ head: 400, data: JSON.stringify({ error: { message: 'bad', param: 'messages' } }), end: null });
    expect(h.reports).toEqual([]);
    expect(h.sent).toEqual(['k1']);
    expect(h.events[0]).toMatchObject({ outcome: 'error', status: 400 });
  });

  it('reports a stream cut after the head as an error, never a retry', async () => {
    const h = harness([{ status: 200, headers: { 'content-type': 'text/event-stream' }, body: body(['data: {"choices":[{"delta":{"content":"Hi"}}],"usage":null}\n\n'], true) }]);
    await runPlatformRequest({ ...request, body: { model: 'gpt-4o', stream: true, messages: [] } }, h.sink, h.deps);
    expect(h.out.head).toBe(200);
    expect(h.out.data).toBe('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n');
    expect(h.out.error).toMatchObject({ error: { code: 'upstream_stream_cut' } });
    expect(h.sent).toEqual(['k1']);
  });

  it('sends a JSON answer\'s head only with its whole body, so a body cut midway is a clean error before any head', async () => {
    const order: string[] = [];
    const h = harness([jsonInParts(['{"id":"a",', '"usage":{"prompt_tokens":2,"completion_tokens":3}}'], order)]);
    const head = h.sink.head;
    h.sink.head = (status) => (order.push('head'), head(status));
    await runPlatformRequest(request, h.sink, h.deps);
    expect(order).toEqual(['read 0', 'read 1', 'head']);
    expect(h.out).toMatchObject({ head: 200, data: '{"id":"a","usage":{"prompt_tokens":2,"completion_tokens":3}}', end: { promptTokens: 2, completionTokens: 3 } });

    const cut = harness([{ status: 200, headers: { 'content-type': 'application/json' }, body: body(['{"id":"a",'], true) }]);
    await runPlatformRequest(request, cut.sink, cut.deps);
    expect(cut.out.head).toBeUndefined();
    expect(cut.out.data).toBe('');
    expect(cut.out.error).toMatchObject({ status: 502, error: { code: 'upstream_stream_cut' } });
    expect(cut.sent).toEqual(['k1']);
  });

  it('passes a JSON answer too large to hold as it comes, paced by its reader, and still counts its usage', async () => {
    const text = JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: Array.from({ length: 200_000 }, (_, i) => i / 7) }], usage: { prompt_tokens: 9, total_tokens: 9 } });
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const parts = text.match(/[\s\S]{1,65536}/g)!;
    const order: string[] = [];
    const h = harness([jsonInParts(parts, order)]);
    const head = h.sink.head;
    let drained = 0;
    const sink = { ...h.sink, head: (status: number) => (order.push('head'), head(status)), drained: async () => void drained++ };
    await runPlatformRequest({ ...request, path: '/embeddings', body: { model: 'text-embedding-3-small', input: 'x' } }, sink, h.deps);
    expect(h.out.data).toBe(text);
    // The head went out long before the last part was read, and every part after it waited for the reader.
    expect(order.indexOf('head')).toBeLessThan(order.indexOf(`read ${parts.length - 1}`));
    expect(drained).toBeGreaterThanOrEqual(parts.length - 1024 * 1024 / 65536 - 1);
    expect(h.out.end).toEqual({ promptTokens: 9, completionTokens: 0 });
    expect(h.events[0]).toMatchObject({ kind: 'embedding', promptTokens: 9, outcome: 'ok' });
  });

  it('records the exact usage of a JSON answer', async () => {
    const h = harness([json(200, { object: 'list', data: [], usage: { prompt_tokens: 9, total_tokens: 9 } })]);
    await runPlatformRequest({ ...request, path: '/embeddings', body: { model: 'text-embedding-3-small', input: 'x' } }, h.sink, h.deps);
    expect(h.out.end).toEqual({ promptTokens: 9, completionTokens: 0 });
    expect(h.events[0]).toMatchObject({ kind: 'embedding', promptTokens: 9, completionTokens: 0, estimated: false, outcome: 'ok', status: 200 });
  });

  it('counts the images an image answer holds, with the size and quality asked, for per-image prices', async () => {
    const dalle = harness([json(200, { created: 1, data: [{ url: 'http://x/a.png' }, { url: 'http://x/b.png' }] })]);
    await runPlatformRequest({ ...request, path: '/images/generations', body: { model: 'dall-e-3', prompt: 'x', n: 2, size: '1792x1024', quality: 'hd' } }, dalle.sink, dalle.deps);
    expect(dalle.events[0]).toMatchObject({ kind: 'image', model: 'dall-e-3', promptTokens: 0, completionTokens: 0, images: { count: 2, size: '1792x1024', quality: 'hd' }, outcome: 'ok' });
    // gpt-image answers carry tokens too; a size that is no plausible value is left out (priced at the model's `image`).
    const gptImage = harness([json(200, { data: [{ b64_json: 'AAAA' }], usage: { input_tokens: 7, output_tokens: 272 } })]);
    await runPlatformRequest({ ...request, path: '/images/generations', body: { model: 'gpt-image-1', prompt: 'x', size: 'huge\u0000' } }, gptImage.sink, gptImage.deps);
    expect(gptImage.events[0]).toMatchObject({ promptTokens: 7, completionTokens: 272, images: { count: 1 } });
    expect(gptImage.events[0].images).toEqual({ count: 1 });
    // A refused request generated nothing: no images to price.
    const refused = harness([json(400, { error: { message: 'bad size', type: 'invalid_request_error', param: 'size', code: null } })]);
    await runPlatformRequest({ ...request, path: '/images/generations', body: { model: 'dall-e-3', prompt: 'x' } }, refused.sink, refused.deps);
    expect(refused.events[0]).toMatchObject({ kind: 'image', outcome: 'error' });
    expect(refused.events[0].images).toBeUndefined();
  });

  it('fails a request whose key lacks a scope with the upstream\'s words, and leaves the key enabled', async () => {
    const h = harness([json(401, { error: { message: 'You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role.' } }), json(200, { id: 'never' })]);
    await runPlatformRequest(request, h.sink, h.deps);
    expect(h.reports).toEqual([]);
    expect(h.sent).toEqual(['k1']);
    expect(h.out.error).toMatchObject({ status: 403, error: { code: 'upstream_permission_denied', message: expect.stringContaining('Missing scopes: model.request') } });
    expect(h.events[0]).toMatchObject({ outcome: 'error', status: 403 });
  });

  it('refuses a key whose base URL reaches a private address, reports why and tries the next key', async () => {
    const h = harness([new AddressRefusedError('the host is or resolves to a cloud metadata address (metadata)'), json(200, { id: 'ok', usage: { prompt_tokens: 1, completion_tokens: 1 } })]);
    await runPlatformRequest(request, h.sink, h.deps);
    expect(h.reports).toEqual([expect.objectContaining({ accountId: 'k1', outcome: 'upstream_error', message: expect.stringContaining('base URL refused: the host is or resolves to a cloud metadata address') })]);
    expect(h.out.head).toBe(200);
    const only = harness([new AddressRefusedError('the host is or resolves to a loopback address (loopback)')]);
    only.deps.retryTimes = 1;
    await runPlatformRequest(request, only.sink, only.deps);
    expect(only.out.error).toMatchObject({ status: 502, error: { code: 'upstream_address_refused', message: expect.stringContaining('PLATFORM_ALLOW_HOSTS') } });
  });
});
