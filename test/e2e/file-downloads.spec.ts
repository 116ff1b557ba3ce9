import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simFileBytes } from '@chatgate/chatgpt-sim';
import { startHttpProxy, type LooseJson, type TestProxy } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

const LINK = /\(((?:http:\/\/127\.0\.0\.1:\d+)\/v1\/files\/[A-Za-z0-9_-]{100,})\)/;

/** Draws an image with a caller's own token and answers the gateway link the reply carries. */
async function drawnLink(stack: Stack, token: string): Promise<string> {
  const reply = await stack.client(token).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Draw [[sim tool=image]]' }] });
  const link = LINK.exec(reply.choices[0].message.content ?? '');
  expect(link).not.toBeNull();
  return link![1];
}

/**
 * Issue 12 (low): the gateway fetched generated-file download URLs itself, with no proxy and no size
 * cap. A worker now fetches them through the account's outbound proxy, at most FILE_DOWNLOAD_MAX_BYTES.
 */
describe('generated files are downloaded by a worker through the account’s proxy', () => {
  let stack: Stack;
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startHttpProxy();
    stack = await startStack({ conversation: { PROXY_URL_POOL: proxy.url('http'), PROXY_COOLOFF_MS: 500, UPSTREAM_CONNECT_TIMEOUT_MS: 1000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.stop();
  });

  it('serves the bytes through the proxy, and never directly when the proxy is down', async () => {
    const own = stack.sim.issueAccount({ plan: 'plus' });
    const link = await drawnLink(stack, own.accessToken);
    const file = stack.sim.generatedFiles().at(-1)!;
    const headers = { authorization: `Bearer ${own.accessToken}` };

    proxy.reset();
    const ok = await fetch(link, { headers });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe(file.contentType);
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(simFileBytes(file));
    // The download URL and the file itself, both through the proxy (the account's token only on the first).
    expect(proxy.count(own.accessToken)).toBe(1);
    expect(proxy.record().connections).toBeGreaterThanOrEqual(1);

    await proxy.stop();
    try {
      const refused = await fetch(link, { headers });
      expect(refused.status).toBe(502);
      expect(((await refused.json()) as LooseJson).error.code).toBe('proxy_unreachable');
    } finally {
      await proxy.start();
    }
  });
});

describe('generated files larger than FILE_DOWNLOAD_MAX_BYTES', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ conversation: { FILE_DOWNLOAD_MAX_BYTES: 16 } });
  });
  afterAll(() => stack?.close());

  it('are refused with a 502 in the envelope, nothing of them sent', async () => {
    const own = stack.sim.issueAccount({ plan: 'plus' });
    const link = await drawnLink(stack, own.accessToken);
    expect(simFileBytes(stack.sim.generatedFiles().at(-1)!).length).toBeGreaterThan(16);
    const res = await fetch(link, { headers: { authorization: `Bearer ${own.accessToken}` } });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining('FILE_DOWNLOAD_MAX_BYTES'), type: 'server_error', param: null, code: 'file_too_large', request_id: expect.any(String) } });
  });
});
