import { describe, expect, it } from '@jest/globals';
import type { BusError } from '@chatgate/contracts';
import type { Attempt, IdentitySource } from './identity-source.js';
import { withRotation } from './rotation.js';

const failure = (status: number, code: string): BusError => ({ status, error: { message: code, type: 't', param: null, code } });
const ok = (id: string): Attempt & { ok: true } => ({ ok: true, identity: { accessToken: id, chatgptAccountId: null, deviceId: null }, accountId: id, accountLabel: null });

function source(ids: string[], opts: { rotates?: boolean; refreshOn401?: boolean; exhausted?: BusError } = {}): IdentitySource & { reported: string[] } {
  let i = 0;
  const reported: string[] = [];
  return {
    rotates: opts.rotates ?? true,
    reported,
    next: async () => (i < ids.length ? ok(ids[i++]) : { ok: false, failure: opts.exhausted ?? failure(503, 'pool_exhausted') }),
    failed: async (a, f) => {
      reported.push(`${a.accountId}:${f.error.code}`);
      return opts.refreshOn401 && f.status === 401 && !a.accountId!.endsWith('+') ? ok(`${a.accountId}+`) : null;
    },
  };
}

describe('withRotation', () => {
  it('moves on after a failure before the first byte and stops at the first delivery', async () => {
    const s = source(['a', 'b', 'c']);
    const tried: string[] = [];
    const result = await withRotation(s, 3, new AbortController().signal, async (a) => {
      tried.push(a.accountId!);
      return a.accountId === 'b' ? { delivered: true } : { delivered: false, failure: failure(502, 'upstream_error') };
    });
    expect(result).toBeNull();
    expect(tried).toEqual(['a', 'b']);
    expect(s.reported).toEqual(['a:upstream_error']);
  });

  it('tries at most retryTimes accounts and answers the last failure; a refreshed 401 does not count as another account', async () => {
    const s = source(['a', 'b', 'c'], { refreshOn401: true });
    const tried: string[] = [];
    const result = await withRotation(s, 2, new AbortController().signal, async (a) => {
      tried.push(a.accountId!);
      return { delivered: false, failure: a.accountId === 'a' ? failure(401, 'upstream_unauthorized') : failure(502, 'upstream_error') };
    });
    expect(tried).toEqual(['a', 'a+', 'b']);
    expect(result?.error.code).toBe('upstream_error');
  });

  it("never retries what another account would not fix, nor a caller's own token", async () => {
    const bad = await withRotation(source(['a', 'b']), 3, new AbortController().signal, async () => ({ delivered: false, failure: failure(400, 'invalid_request') }));
    expect(bad?.error.code).toBe('invalid_request');
    const own = source(['own'], { rotates: false });
    expect((await withRotation(own, 3, new AbortController().signal, async () => ({ delivered: false, failure: failure(502, 'upstream_error') })))?.status).toBe(502);
    expect(own.reported).toEqual([]);
  });

  it("answers a cooling pool's 429 over the last error, and the last error over an empty pool", async () => {
    const fail = async () => ({ delivered: false as const, failure: failure(502, 'upstream_error') });
    expect((await withRotation(source(['a'], { exhausted: failure(429, 'pool_cooling') }), 3, new AbortController().signal, fail))?.error.code).toBe('pool_cooling');
    expect((await withRotation(source(['a']), 3, new AbortController().signal, fail))?.error.code).toBe('upstream_error');
  });
});
