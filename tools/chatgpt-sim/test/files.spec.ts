import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startSimulator } from '../src/index.js';
import type { SimAccount, Simulator } from '../src/index.js';

let sim: Simulator;
let alice: SimAccount;
let bob: SimAccount;

beforeAll(async () => {
  sim = await startSimulator({ documentIndexDelayMs: 150 });
  alice = sim.issueAccount({ plan: 'plus' });
  bob = sim.issueAccount({ plan: 'plus' });
});
afterAll(() => sim.close());

const api = (token: string, path: string, body?: unknown) =>
  fetch(`${sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const BLOB_HEADERS = { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2020-04-08', 'content-type': 'application/pdf' };

async function create(token: string, size: number, useCase = 'my_files'): Promise<{ file_id: string; upload_url: string }> {
  const res = await api(token, '/backend-api/files', { file_name: 'a.pdf', file_size: size, use_case: useCase, timezone_offset_min: 0, reset_rate_limits: false });
  expect(res.status).toBe(200);
  return (await res.json()) as { file_id: string; upload_url: string };
}

const converse = (token: string, parts: unknown[], attachments: unknown[] = []) =>
  api(token, '/backend-api/conversation', {
    action: 'next',
    model: 'gpt-4o',
    parent_message_id: 'client-created-root',
    messages: [{ id: 'm1', author: { role: 'user' }, content: { content_type: 'multimodal_text', parts }, metadata: { attachments } }],
  });

describe('file uploads', () => {
  const bytes = Buffer.from('%PDF-1.4 hello');

  it('runs create → blob PUT → uploaded → indexing, recording the PUT', async () => {
    const created = await create(alice.accessToken, bytes.length);
    expect(created.file_id).toMatch(/^file-/);
    const put = await fetch(created.upload_url, { method: 'PUT', headers: BLOB_HEADERS, body: bytes });
    expect(put.status).toBe(201);
    expect(sim.stats().blobPuts.at(-1)).toEqual({ fileId: created.file_id, accountId: alice.accountId, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, contentType: 'application/pdf', name: 'a.pdf' });
    expect((await api(alice.accessToken, `/backend-api/files/${created.file_id}/uploaded`, {})).status).toBe(200);
    const status = async () => ((await (await api(alice.accessToken, `/backend-api/files/${created.file_id}`)).json()) as { retrieval_index_status: string }).retrieval_index_status;
    expect(await status()).toBe('pending');
    await new Promise((r) => setTimeout(r, 200));
    expect(await status()).toBe('success');
    // Another account does not see it, and cannot point a message at it.
    expect((await api(bob.accessToken, `/backend-api/files/${created.file_id}`)).status).toBe(404);
    expect((await converse(bob.accessToken, ['hi'], [{ id: created.file_id }])).status).toBe(404);
    const own = await converse(alice.accessToken, ['hi'], [{ id: created.file_id }]);
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });

  it('refuses a blob PUT with a token, without BlockBlob, with a wrong signature or size', async () => {
    const { upload_url } = await create(alice.accessToken, bytes.length);
    const put = (url: string, headers: Record<string, string>, body = bytes) => fetch(url, { method: 'PUT', headers, body }).then((r) => r.status);
    expect(await put(upload_url, { ...BLOB_HEADERS, authorization: `Bearer ${alice.accessToken}` })).toBe(400);
    expect(await put(upload_url, { ...BLOB_HEADERS, 'x-ms-blob-type': 'AppendBlob' })).toBe(400);
    expect(await put(upload_url.replace(/sig=[0-9a-f]+/, 'sig=00'), BLOB_HEADERS)).toBe(403);
    expect(await put(upload_url, BLOB_HEADERS, Buffer.concat([bytes, bytes]))).toBe(400);
  });

  it('refuses an image pointer to a file not uploaded, or with the wrong size', async () => {
    const { file_id, upload_url } = await create(alice.accessToken, 4, 'multimodal');
    const pointer = (size: number) => ({ content_type: 'image_asset_pointer', asset_pointer: `file-service://${file_id}`, size_bytes: size, width: 1, height: 1 });
    expect((await converse(alice.accessToken, [pointer(4), 'x'])).status).toBe(404);
    await fetch(upload_url, { method: 'PUT', headers: { ...BLOB_HEADERS, 'content-type': 'image/png' }, body: Buffer.from([1, 2, 3, 4]) });
    await api(alice.accessToken, `/backend-api/files/${file_id}/uploaded`, {});
    expect((await converse(alice.accessToken, [pointer(5), 'x'])).status).toBe(400);
    const ok = await converse(alice.accessToken, [pointer(4), 'x']);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    expect(sim.stats().lastUserMessage).toMatchObject({ contentType: 'multimodal_text', text: 'x', assetPointers: [{ asset_pointer: `file-service://${file_id}`, size_bytes: 4 }] });
  });

  it('downloads an uploaded file through a signed read URL of the same blob store, only for its account', async () => {
    const created = await create(alice.accessToken, bytes.length);
    const path = `/backend-api/files/${created.file_id}/download`;
    // Not downloadable before its bytes are in and it is marked uploaded.
    expect((await api(alice.accessToken, path)).status).toBe(404);
    await fetch(created.upload_url, { method: 'PUT', headers: BLOB_HEADERS, body: bytes });
    const uploaded = (await (await api(alice.accessToken, `/backend-api/files/${created.file_id}/uploaded`, {})).json()) as { download_url: string };
    for (const url of [uploaded.download_url, ((await (await api(alice.accessToken, path)).json()) as { download_url: string }).download_url]) {
      const blob = await fetch(url);
      expect(blob.status).toBe(200);
      expect(blob.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await blob.arrayBuffer())).toEqual(bytes);
      expect((await fetch(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
      // A read URL cannot write, nor an upload URL read.
      expect((await fetch(url, { method: 'PUT', headers: BLOB_HEADERS, body: bytes })).status).toBe(403);
    }
    expect((await fetch(created.upload_url)).status).toBe(403);
    expect((await api(bob.accessToken, path)).status).toBe(404);
  });
});

describe('saved conversations', () => {
  const post = async (token: string, messages: unknown[], extra: Record<string, unknown> = {}) => {
    const res = await api(token, '/backend-api/conversation', { action: 'next', model: 'gpt-4o', parent_message_id: 'client-created-root', messages, ...extra });
    const raw = await res.text();
    return { raw, conversationId: /"conversation_id": ?"([^"]+)"/.exec(raw)![1] };
  };
  const text = (id: string, role: string, t: string) => ({ id, author: { role }, content: { content_type: 'text', parts: [t] }, metadata: {} });
  type Saved = { current_node: string; mapping: Record<string, { parent: string | null; children: string[]; message: { author: { role: string }; content: { parts: string[] } } | null }> };

  it('one store: GET shows every posted message and the answer as a chain; the hide PATCH removes it for GET too', async () => {
    const { conversationId } = await post(alice.accessToken, [text('u1', 'user', 'first'), text('a1', 'assistant', 'reply'), text('u2', 'user', 'second')]);
    const read = (token = alice.accessToken) => api(token, `/backend-api/conversation/${conversationId}`);
    const saved = (await (await read()).json()) as Saved;
    const chain: Array<[string, string]> = [];
    for (let node = saved.current_node; saved.mapping[node].message; node = saved.mapping[node].parent!) {
      chain.unshift([saved.mapping[node].message!.author.role, saved.mapping[node].message!.content.parts[0]]);
    }
    expect(chain.slice(0, 3)).toEqual([['user', 'first'], ['assistant', 'reply'], ['user', 'second']]);
    expect(chain).toHaveLength(4);
    expect(chain[3][0]).toBe('assistant');
    expect((await read(bob.accessToken)).status).toBe(404);
    const patch = (body: unknown, token = alice.accessToken) =>
      fetch(`${sim.url}/backend-api/conversation/${conversationId}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ is_visible: false }, bob.accessToken)).status).toBe(404);
    expect((await patch({ is_visible: false })).status).toBe(200);
    expect((await read()).status).toBe(404);
  });

  it('a temporary chat is not kept', async () => {
    const { conversationId } = await post(alice.accessToken, [text('t1', 'user', 'temporary')], { history_and_training_disabled: true });
    expect((await api(alice.accessToken, `/backend-api/conversation/${conversationId}`)).status).toBe(404);
  });
});
