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
});
