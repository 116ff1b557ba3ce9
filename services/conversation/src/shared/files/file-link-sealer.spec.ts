import { describe, expect, it } from '@jest/globals';
import { FileLinkSealer, type FileLinkPayload } from './file-link-sealer.js';

const payload: FileLinkPayload = { v: 1, t: 'tenant-1', a: 'account-1', c: 'cred-1', m: 'gpt-4o', k: 'sediment', id: 'file_1', cv: 'conv-1', ms: 'msg-1', ex: 2_000_000_000 };
const sealer = new FileLinkSealer('a test secret that is long enough, 32+');

describe('FileLinkSealer', () => {
  it('opens what it sealed, and the token reveals nothing of it', () => {
    const token = sealer.seal(payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('account-1');
    expect(sealer.open(token, 1_900_000_000)).toEqual({ ok: true, payload });
  });

  it('refuses an expired token', () => {
    expect(sealer.open(sealer.seal(payload), 2_000_000_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token altered by one bit, sealed with another secret, or not a token at all', () => {
    const raw = Buffer.from(sealer.seal(payload), 'base64url');
    raw[20] ^= 1;
    expect(sealer.open(raw.toString('base64url'), 0)).toEqual({ ok: false, reason: 'forged' });
    expect(new FileLinkSealer('another secret, also long enough here').open(sealer.seal(payload), 0)).toEqual({ ok: false, reason: 'forged' });
    for (const junk of ['', 'abc', '../etc/passwd', 'x'.repeat(100)]) expect(sealer.open(junk, 0)).toEqual({ ok: false, reason: 'forged' });
  });
});
