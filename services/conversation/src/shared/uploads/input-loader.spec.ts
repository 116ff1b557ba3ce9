import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { conversationEnv, parseConfig } from '@chatgate/config';
import type { ChatContentPart, ChatJob } from '@chatgate/contracts';
import { InputLoader } from './input-loader.js';

/** A PNG of `size` bytes: the signature, an IHDR with the dimensions, then padding. */
function png(size: number): Buffer {
  const head = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head, 0);
  head.writeUInt32BE(13, 8);
  head.write('IHDR', 12, 'latin1');
  head.writeUInt32BE(4, 16);
  head.writeUInt32BE(3, 20);
  return Buffer.concat([head, Buffer.alloc(size - head.length)]);
}
const inline = (bytes: Buffer): ChatContentPart => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${bytes.toString('base64')}` } });

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(png(600));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function loader(jobMaxBytes: number): InputLoader {
  const config = parseConfig(conversationEnv, { UPLOAD_JOB_MAX_BYTES: String(jobMaxBytes), UPLOAD_ALLOW_HOSTS: `127.0.0.1:${port}` });
  return new InputLoader(config, pino({ level: 'silent' }));
}

const job = (parts: ChatContentPart[]): ChatJob => ({
  requestId: 'r',
  model: 'gpt-4o',
  messages: [{ role: 'user', content: [...parts, { type: 'text', text: 'what is this?' }] }],
  stream: false,
  historyDisabled: true,
  upstream: { kind: 'chatgpt_access_token', accessToken: 'eyJ' },
  tenantId: 't',
  credentialId: 'c',
  userId: null,
  userName: null,
});

describe('InputLoader: the byte budget of one request (UPLOAD_JOB_MAX_BYTES)', () => {
  it('loads images and files that fit the budget together', async () => {
    const prepared = await loader(1300).prepare(job([inline(png(600)), { type: 'image_url', image_url: { url: `http://127.0.0.1:${port}/a.png` } }]));
    expect(prepared.ok).toBe(true);
    if (prepared.ok) expect(prepared.messages?.[0].files.map((f) => f.bytes.length)).toEqual([600, 600]);
  });

  it('refuses inline data over the budget with a 413 naming messages', async () => {
    const prepared = await loader(1000).prepare(job([inline(png(600)), inline(png(600))]));
    expect(prepared).toEqual({
      ok: false,
      failure: { status: 413, error: { type: 'invalid_request_error', code: 'inputs_too_large', param: 'messages', message: expect.stringContaining('more than 1000 bytes') } },
    });
  });

  it('refuses a fetched file that takes the request over the budget, while it downloads', async () => {
    const prepared = await loader(1000).prepare(job([inline(png(600)), { type: 'image_url', image_url: { url: `http://127.0.0.1:${port}/a.png` } }]));
    expect(prepared).toMatchObject({ ok: false, failure: { status: 413, error: { code: 'inputs_too_large' } } });
  });
});
