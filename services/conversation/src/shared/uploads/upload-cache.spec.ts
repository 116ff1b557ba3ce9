import { describe, expect, it } from '@jest/globals';
import type { UploadedFile, UploadResult } from '../upstream/chatgpt-files.client.js';
import { UploadCache } from './upload-cache.js';

const file = (fileId: string): UploadedFile => ({ fileId, name: 'a.png', mimeType: 'image/png', size: 3, image: { width: 1, height: 1 } });

describe('UploadCache', () => {
  it('uploads the same bytes once per account, shares a flight, and expires', async () => {
    let now = 0;
    const cache = new UploadCache(1000, 10, () => now);
    let calls = 0;
    const upload = async (): Promise<UploadResult> => ({ ok: true, file: file(`file-${++calls}`) });
    const [x, y] = await Promise.all([cache.getOrUpload('acct-a', 'sha', upload), cache.getOrUpload('acct-a', 'sha', upload)]);
    expect(calls).toBe(1);
    expect(x).toEqual(y);
    expect(await cache.getOrUpload('acct-a', 'sha', upload)).toMatchObject({ ok: true, reused: true, file: { fileId: 'file-1' } });
    // Another account never sees account A's file.
    expect(await cache.getOrUpload('acct-b', 'sha', upload)).toMatchObject({ file: { fileId: 'file-2' } });
    now = 1001;
    expect(await cache.getOrUpload('acct-a', 'sha', upload)).toMatchObject({ file: { fileId: 'file-3' } });
  });

  it('does not remember failures, and stays within its bound', async () => {
    const cache = new UploadCache(60_000, 2);
    const failure: UploadResult = { ok: false, failure: { status: 429, error: { message: 'cap', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } } };
    expect(await cache.getOrUpload('a', 's', async () => failure)).toEqual(failure);
    expect(await cache.getOrUpload('a', 's', async () => ({ ok: true, file: file('f') }))).toMatchObject({ ok: true, file: { fileId: 'f' } });
    for (const sha of ['1', '2', '3']) await cache.getOrUpload('a', sha, async () => ({ ok: true, file: file(sha) }));
    expect(cache.size).toBe(2);
  });
});
