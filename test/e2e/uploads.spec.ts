import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { pdfDocument, pngImage } from '../support/test-files.js';

type Part = OpenAI.Chat.Completions.ChatCompletionContentPart;
type Completion = OpenAI.Chat.Completions.ChatCompletion & { conversation_id?: string; message_id?: string };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

const CAT = pngImage(32, 24, 1);
const DOG = pngImage(7, 5, 2);
const COW = pngImage(16, 16, 3);
const BIRD = pngImage(9, 9, 4);
/** Uploads are remembered per account across requests, so each test sends bytes of its own. */
const INLINE = pngImage(32, 24, 5);
const FETCH_CAP = 200_000;
const FETCH_TIME_MS = 800;

/** The image host the tests fetch from: loopback, so only its exact host:port is trusted (UPLOAD_ALLOW_HOSTS). */
let host: Server;
let hostPort: number;
/** A second loopback server that is NOT trusted: redirects to it must be refused. */
let other: Server;
let otherPort: number;
let otherHits = 0;
const timers = new Set<NodeJS.Timeout>();

function serveImages(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/cat.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': CAT.length });
      return void res.end(CAT);
    case '/cow.png':
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(COW);
    case '/not-an-image.png':
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end('<html>surprise</html>');
    case '/redirect-loopback':
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/cat.png` });
      return void res.end();
    case '/redirect-metadata':
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' });
      return void res.end();
    case '/huge':
      // No Content-Length: the cap must hold on what streams, not on a declaration.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.on('error', () => undefined);
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(16 * 1024, i));
      return void res.end();
    case '/slow': {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(CAT.subarray(0, 8));
      const t = setInterval(() => res.write(Buffer.from([0])), 100);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    default:
      res.writeHead(404);
      res.end();
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('images and files in messages', () => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;

  beforeAll(async () => {
    host = createServer(serveImages);
    hostPort = await listen(host);
    other = createServer((_req, res) => {
      otherHits++;
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(CAT);
    });
    otherPort = await listen(other);
    stack = await startStack({
      conversation: {
        UPLOAD_ALLOW_HOSTS: `127.0.0.1:${hostPort}`,
        UPLOAD_MAX_BYTES: FETCH_CAP,
        UPLOAD_FETCH_TIMEOUT_MS: FETCH_TIME_MS,
        UPLOAD_BY_URL: true,
      },
    });
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    await stack?.close();
    host?.closeAllConnections();
    other?.closeAllConnections();
    await Promise.all([host, other].map((s) => new Promise((r) => s?.close(r))));
  });
  beforeEach(() => stack.sim.resetStats());

  const ask = (content: string | Part[], extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra } as never) as Promise<Completion>;

  describe('uploads', () => {
    it('uploads an image sent as a data: URL and points the message at it', async () => {
      const completion = await ask([
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: dataUrl('image/png', INLINE), detail: 'high' } },
      ]);
      expect(completion.choices[0].message.content).toBe('You said: What is in this picture?');

      const stats = stack.sim.stats();
      expect(stats.fileCreates).toBe(1);
      expect(stats.blobPuts).toEqual([{ fileId: expect.stringMatching(/^file-/), accountId: account.accountId, sha256: sha256(INLINE), size: INLINE.length, contentType: 'image/png', name: 'image.png' }]);
      const fileId = stats.blobPuts[0].fileId;
      expect(stats.lastUserMessage).toEqual({
        contentType: 'multimodal_text',
        text: 'What is in this picture?',
        assetPointers: [{ asset_pointer: `file-service://${fileId}`, size_bytes: INLINE.length, width: 32, height: 24 }],
        attachments: [{ id: fileId, size: INLINE.length, name: 'image.png', mime_type: 'image/png', width: 32, height: 24 }],
      });
    });

    it('fetches an image by URL (guarded) and uploads exactly its bytes, streamed too', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `http://127.0.0.1:${hostPort}/cat.png` } }, { type: 'text', text: 'Describe it' }] }],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('You said: Describe it');
      const [put] = stack.sim.stats().blobPuts;
      expect(put).toMatchObject({ sha256: sha256(CAT), size: CAT.length, contentType: 'image/png', name: 'cat.png', accountId: account.accountId });
      expect(stack.sim.stats().lastUserMessage?.assetPointers).toEqual([{ asset_pointer: `file-service://${put.fileId}`, size_bytes: CAT.length, width: 32, height: 24 }]);
    });

    it('uploads a PDF file part and waits until the upstream has indexed it', async () => {
      const pdf = pdfDocument('quarterly numbers');
      const started = Date.now();
      const completion = await ask([
        { type: 'file', file: { file_data: dataUrl('application/pdf', pdf), filename: 'report.pdf' } },
        { type: 'text', text: 'Summarise the report' },
      ]);
      expect(completion.choices[0].message.content).toBe('You said: Summarise the report');
      // The simulator keeps a document pending for 300 ms after the uploaded mark.
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      const stats = stack.sim.stats();
      expect(stats.fileStatusPolls).toBeGreaterThanOrEqual(2);
      expect(stats.blobPuts).toEqual([expect.objectContaining({ sha256: sha256(pdf), size: pdf.length, contentType: 'application/pdf', name: 'report.pdf' })]);
      expect(stats.lastUserMessage).toEqual({
        contentType: 'text',
        text: 'Summarise the report',
        assetPointers: [],
        attachments: [{ id: stats.blobPuts[0].fileId, size: pdf.length, name: 'report.pdf', mime_type: 'application/pdf' }],
      });
    });

    it('takes bare base64 file data and decides the type from the bytes, not the name', async () => {
      await ask([{ type: 'file', file: { file_data: DOG.toString('base64'), filename: 'notes.txt' } }, { type: 'text', text: 'And this?' }]);
      const { blobPuts, lastUserMessage } = stack.sim.stats();
      expect(blobPuts[0]).toMatchObject({ sha256: sha256(DOG), contentType: 'image/png', name: 'notes.txt' });
      expect(lastUserMessage?.assetPointers[0]).toMatchObject({ width: 7, height: 5 });
    });

    it('does not upload the same bytes twice within a conversation', async () => {
      const image: Part = { type: 'image_url', image_url: { url: dataUrl('image/png', BIRD) } };
      // Twice in one message, then again when continuing the conversation: one upload.
      const first = await ask([image, image, { type: 'text', text: 'Two of the same' }], { history_disabled: false });
      expect(stack.sim.stats().blobPuts).toHaveLength(1);
      const fileId = stack.sim.stats().blobPuts[0].fileId;
      expect(stack.sim.stats().lastUserMessage?.assetPointers.map((p) => p.asset_pointer)).toEqual([`file-service://${fileId}`, `file-service://${fileId}`]);
      await ask([image, { type: 'text', text: 'Again' }], { conversation_id: first.conversation_id, parent_message_id: first.message_id });
      const stats = stack.sim.stats();
      expect(stats.lastConversation?.conversationId).toBe(first.conversation_id);
      expect(stats.blobPuts).toHaveLength(1);
      expect(stats.fileCreates).toBe(1);
      expect(stats.lastUserMessage?.assetPointers[0].asset_pointer).toBe(`file-service://${fileId}`);
    });

    it('uploads again for another account: a file of one account is not visible to another', async () => {
      const image: Part = { type: 'image_url', image_url: { url: dataUrl('image/png', DOG) } };
      const second = stack.sim.issueAccount({ plan: 'plus' });
      await stack.client(second.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: [image] }] });
      expect(stack.sim.stats().blobPuts).toEqual([expect.objectContaining({ accountId: second.accountId, sha256: sha256(DOG) })]);
    });

    it('UPLOAD_BY_URL: URLs at the start of the text become attachments and leave the text', async () => {
      const completion = await ask(`http://127.0.0.1:${hostPort}/cow.png   What is this animal?`);
      expect(completion.choices[0].message.content).toBe('You said: What is this animal?');
      const { blobPuts, lastUserMessage } = stack.sim.stats();
      expect(blobPuts).toEqual([expect.objectContaining({ sha256: sha256(COW), name: 'cow.png' })]);
      expect(lastUserMessage).toMatchObject({ contentType: 'multimodal_text', text: 'What is this animal?' });
      // A URL further into the text stays text.
      const plain = await ask(`Look at http://127.0.0.1:${hostPort}/cat.png please`);
      expect(plain.choices[0].message.content).toBe(`You said: Look at http://127.0.0.1:${hostPort}/cat.png please`);
      expect(stack.sim.stats().blobPuts).toHaveLength(1);
    });
  });

  describe('refused inputs', () => {
    const image = (url: string): Part[] => [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url } }];

    it.each([
      ['a private IP', () => 'http://10.0.0.7/cat.png', /private address/],
      ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
      ['a loopback IP on an untrusted port', () => `http://127.0.0.1:${otherPort}/cat.png`, /loopback address/],
      ['localhost', () => `http://localhost:${hostPort}/cat.png`, /loopback address/],
      ['a redirect to loopback', () => `http://127.0.0.1:${hostPort}/redirect-loopback`, /loopback address/],
      ['a redirect to the metadata address', () => `http://127.0.0.1:${hostPort}/redirect-metadata`, /cloud metadata address/],
      ['a DNS name resolving to a private address', () => `http://${hostname()}:${hostPort}/cat.png`, /(loopback|private|link-local) address/],
      ['a huge body', () => `http://127.0.0.1:${hostPort}/huge`, new RegExp(`larger than ${FETCH_CAP} bytes`)],
      ['a slow body', () => `http://127.0.0.1:${hostPort}/slow`, new RegExp(`longer than ${FETCH_TIME_MS} ms`)],
      ['a non-http scheme', () => 'file:///etc/passwd', /scheme "file" is not allowed/],
    ])('refuses %s with a 400 naming the reason', async (_what, url, reason) => {
      const hits = otherHits;
      const err = (await ask(image(url())).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err).toMatchObject({ status: 400, code: 'invalid_image_url', param: 'messages[0].content[1].image_url.url', type: 'invalid_request_error' });
      expect(err.message).toMatch(reason);
      expect(err.message).toMatch(/^400 URL refused: /);
      // Nothing reached the untrusted server, and nothing went upstream.
      expect(otherHits).toBe(hits);
      expect(stack.sim.stats()).toMatchObject({ conversationRequests: 0, fileCreates: 0 });
    });

    it('refuses a URL of UPLOAD_BY_URL the same way', async () => {
      await expect(ask('http://10.1.2.3/x.png what is it')).rejects.toMatchObject({ status: 400, code: 'invalid_attachment_url', param: 'messages[0].content' });
    });

    it('refuses bytes that are not an image, and base64 that is not base64', async () => {
      await expect(ask(image(`http://127.0.0.1:${hostPort}/not-an-image.png`))).rejects.toMatchObject({ status: 400, code: 'invalid_image_format' });
      await expect(ask(image('data:image/png;base64,@@not base64@@'))).rejects.toMatchObject({ status: 400, code: 'invalid_image_url' });
      await expect(ask([{ type: 'file', file: { file_data: '%%%', filename: 'a.pdf' } }])).rejects.toMatchObject({ status: 400, code: 'invalid_file_data', param: 'messages[0].content[0].file.file_data' });
      expect(stack.sim.stats().conversationRequests).toBe(0);
    });

    it('answers 413 for inline data larger than the bus takes, before any work', async () => {
      const big = Buffer.alloc(900 * 1024, 7);
      await expect(ask([{ type: 'file', file: { file_data: big.toString('base64'), filename: 'big.bin' } }])).rejects.toMatchObject({ status: 413, code: 'request_too_large' });
      expect(stack.sim.stats().fileCreates).toBe(0);
    });
  });
});

describe('uploads with a rotating account pool', () => {
  const POOL_CODE = 'pool-code-for-upload-tests-0123456789';
  let stack: Stack;
  let db: pg.Client;
  let client: OpenAI;
  let a: SimAccount;
  let b: SimAccount;

  beforeAll(async () => {
    stack = await startStack({ auth: { AUTHORIZATION: POOL_CODE, RANDOM_TOKEN: false }, conversation: { RETRY_TIMES: 3 } });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    a = stack.sim.issueAccount({ plan: 'plus' });
    b = stack.sim.issueAccount({ plan: 'plus' });
    const accounts = stack.auth.app.get(AccountsService);
    await accounts.enter(tenantId, a.accessToken);
    await accounts.enter(tenantId, b.accessToken);
    client = stack.client(POOL_CODE);
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  it('uploads again with the next account when the first one fails after its upload', async () => {
    // Round-robin over two accounts: the one that served this request is not the next one leased.
    stack.sim.resetStats();
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'warm up' }] });
    const served = Object.keys(stack.sim.stats().byAccount)[0];
    const [first, second] = served === a.accountId ? [b, a] : [a, b];
    // The next account's conversation answers 429 once: its upload has happened by then.
    stack.sim.setBehaviour(first.accountId, { fail: '429', times: 1, clearsIn: 60 });
    stack.sim.resetStats();

    const image = pngImage(12, 10, 42);
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl('image/png', image) } }, { type: 'text', text: 'Rotate me' }] }],
    });
    expect(completion.choices[0].message.content).toBe('You said: Rotate me');
    const stats = stack.sim.stats();
    // Same bytes, two uploads: a file of the first account does not exist for the second.
    expect(stats.blobPuts.map((p) => [p.accountId, p.sha256])).toEqual([
      [first.accountId, sha256(image)],
      [second.accountId, sha256(image)],
    ]);
    expect(stats.byAccount).toEqual({ [first.accountId]: 1, [second.accountId]: 1 });
    // The message that was answered points at the second account's file.
    expect(stats.lastUserMessage?.assetPointers[0].asset_pointer).toBe(`file-service://${stats.blobPuts[1].fileId}`);
  });
});
