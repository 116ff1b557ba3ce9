import { describe, expect, it } from '@jest/globals';
import type { AccountLeaseRequest, AccountReport, BusError } from '@chatgate/contracts';
import { identitySourceFor, type Attempt, type IdentitySource, type LeasedAttempt } from './identity-source.js';
import { withRotation, type AttemptResult } from './rotation.js';
import { tokenFingerprint } from './token-fingerprint.js';

const failure = (status: number, code: string): BusError => ({ status, error: { message: code, type: 't', param: null, code } });
const ok = (id: string): LeasedAttempt => ({ ok: true, identity: { accessToken: id, chatgptAccountId: null, deviceId: null }, accountId: id, accountLabel: null });
const delivered: AttemptResult<'delivered'> = { ok: true, value: 'delivered' };

function source(ids: string[], opts: { rotates?: boolean; refreshOn401?: boolean; exhausted?: BusError } = {}): IdentitySource & { reported: string[] } {
  let i = 0;
  const reported: string[] = [];
  return {
    rotates: opts.rotates ?? true,
    reported,
    next: async (): Promise<Attempt> => (i < ids.length ? ok(ids[i++]) : { ok: false, failure: opts.exhausted ?? failure(503, 'pool_exhausted') }),
    failed: async (a, f) => {
      reported.push(`${a.accountId}:${f.error.code}`);
      return opts.refreshOn401 && f.status === 401 && !a.accountId!.endsWith('+') ? ok(`${a.accountId}+`) : null;
    },
  };
}

const failureOf = (result: Awaited<ReturnType<typeof withRotation>>) => (!result.ok && 'failure' in result ? result.failure : null);

describe('withRotation', () => {
  it('moves on after a failure before the first byte and stops at the first delivery', async () => {
    const s = source(['a', 'b', 'c']);
    const tried: string[] = [];
    const result = await withRotation(s, 3, async (a) => {
      tried.push(a.accountId!);
      return a.accountId === 'b' ? delivered : { ok: false, failure: failure(502, 'upstream_error') };
    });
    expect(result).toEqual(delivered);
    expect(tried).toEqual(['a', 'b']);
    expect(s.reported).toEqual(['a:upstream_error']);
  });

  it('tries at most retryTimes accounts and answers the last failure; a refreshed 401 does not count as another account', async () => {
    const s = source(['a', 'b', 'c'], { refreshOn401: true });
    const tried: string[] = [];
    const result = await withRotation(s, 2, async (a) => {
      tried.push(a.accountId!);
      return { ok: false, failure: a.accountId === 'a' ? failure(401, 'upstream_unauthorized') : failure(502, 'upstream_error') };
    });
    expect(tried).toEqual(['a', 'a+', 'b']);
    expect(failureOf(result)?.error.code).toBe('upstream_error');
  });

  it("never retries what another account would not fix, nor a caller's own token", async () => {
    const bad = await withRotation(source(['a', 'b']), 3, async () => ({ ok: false, failure: failure(400, 'invalid_request') }));
    expect(failureOf(bad)?.error.code).toBe('invalid_request');
    const own = source(['own'], { rotates: false });
    expect(failureOf(await withRotation(own, 3, async () => ({ ok: false, failure: failure(502, 'upstream_error') })))?.status).toBe(502);
    expect(own.reported).toEqual([]);
  });

  it("answers a cooling pool's 429 over the last error, and the last error over an empty pool", async () => {
    const fail = async (): Promise<AttemptResult<never>> => ({ ok: false, failure: failure(502, 'upstream_error') });
    expect(failureOf(await withRotation(source(['a'], { exhausted: failure(429, 'pool_cooling') }), 3, fail))?.error.code).toBe('pool_cooling');
    expect(failureOf(await withRotation(source(['a']), 3, fail))?.error.code).toBe('upstream_error');
  });

  it("answers a pool whose accounts' tokens were all refused with the pool's 503, a caller's own refused token with 401", async () => {
    const refused = async (): Promise<AttemptResult<never>> => ({ ok: false, failure: failure(401, 'upstream_unauthorized') });
    // Retries spent, then the pool runs dry: either way the client never gets a 401 for the pool's accounts.
    for (const result of [await withRotation(source(['a', 'b'], { refreshOn401: true }), 2, refused), await withRotation(source(['a'], { refreshOn401: true }), 3, refused)]) {
      expect(failureOf(result)).toMatchObject({ status: 503, error: { code: 'no_usable_account', type: 'server_error' } });
    }
    // A cooling pool still says when it frees up.
    expect(failureOf(await withRotation(source(['a'], { exhausted: failure(429, 'pool_cooling') }), 3, refused))?.error.code).toBe('pool_cooling');
    const own = await withRotation(source(['own'], { rotates: false }), 3, refused);
    expect(failureOf(own)).toMatchObject({ status: 401, error: { code: 'upstream_unauthorized' } });
  });

  it('ends as cancelled, without a failure, when the request was cancelled during an attempt', async () => {
    const abort = new AbortController();
    const s = source(['a', 'b']);
    const result = await withRotation(s, 3, async () => {
      abort.abort();
      return { ok: false, failure: failure(502, 'upstream_error') };
    }, abort.signal);
    expect(result).toEqual({ ok: false, cancelled: true });
    expect(s.reported).toEqual([]);
  });
});

describe('identitySourceFor', () => {
  function pool(accounts: string[], refreshable = new Set<string>()) {
    const leases: AccountLeaseRequest[] = [];
    const reports: AccountReport[] = [];
    const client = {
      async lease(request: AccountLeaseRequest) {
        leases.push({ ...request, exclude: [...request.exclude] });
        const next = accounts.find((a) => !request.exclude.includes(a) && (!request.allowed || request.allowed.includes(a)));
        if (!next) return { ok: false as const, failure: failure(503, 'no_usable_account') };
        return { ok: true as const, lease: { accountId: next, accessToken: `token-${next}`, chatgptAccountId: null, deviceId: 'device', label: `${next}@example.com` } };
      },
      async report(report: AccountReport) {
        reports.push(report);
        const lease = report.outcome === 'unauthorized' && refreshable.has(report.accountId) ? { accountId: report.accountId, accessToken: `fresh-${report.accountId}`, chatgptAccountId: null, deviceId: 'device', label: 'x' } : null;
        return { ok: true as const, lease };
      },
    };
    return { client, leases, reports };
  }

  it("leases a new pool account per attempt, within the credential's accounts, never one already tried", async () => {
    const p = pool(['a', 'b', 'c']);
    const s = identitySourceFor({ requestId: 'r1', upstream: { kind: 'pool', tenantId: 't', accountIds: ['b', 'c'] } }, 'gpt-4o', p.client);
    const first = (await s.next()) as LeasedAttempt;
    expect(first).toMatchObject({ accountId: 'b', accountLabel: 'b@example.com', identity: { accessToken: 'token-b' }, lease: { accountId: 'b' } });
    expect(await s.failed(first, failure(502, 'upstream_error'))).toBeNull();
    expect(await s.next()).toMatchObject({ accountId: 'c' });
    expect(await s.next()).toMatchObject({ ok: false, failure: { error: { code: 'no_usable_account' } } });
    expect(p.leases.map((l) => [l.allowed, l.exclude, l.model, l.requestId])).toEqual([
      [['b', 'c'], [], 'gpt-4o', 'r1'],
      [['b', 'c'], ['b'], 'gpt-4o', 'r1'],
      [['b', 'c'], ['b', 'c'], 'gpt-4o', 'r1'],
    ]);
    expect(p.reports).toEqual([{ accountId: 'b', model: 'gpt-4o', outcome: 'upstream_error', message: 'upstream_error' }]);
  });

  it('refreshes an account once after a 401, and reports nothing for a failure that is not the account’s', async () => {
    const p = pool(['a'], new Set(['a']));
    const s = identitySourceFor({ requestId: 'r', upstream: { kind: 'pool', tenantId: 't' } }, 'auto', p.client);
    const first = (await s.next()) as LeasedAttempt;
    const again = (await s.failed(first, failure(401, 'upstream_unauthorized'))) as LeasedAttempt;
    expect(again.identity.accessToken).toBe('fresh-a');
    expect(await s.failed(again, failure(401, 'upstream_unauthorized'))).toBeNull();
    expect(await s.failed(again, failure(400, 'upstream_bad_request'))).toBeNull();
    expect(p.reports.map((r) => r.outcome)).toEqual(['unauthorized', 'unauthorized']);
    // Each 401 names the token refused (its sha256, never the token), so auth can tell a stale one from the fresh one.
    expect(p.reports.map((r) => r.refusedTokenSha256)).toEqual([tokenFingerprint('token-a'), tokenFingerprint('fresh-a')]);
    expect(JSON.stringify(p.reports)).not.toContain('fresh-a');
  });

  it('pins a continued conversation to its one account, and leases the kind asked for', async () => {
    const p = pool(['a', 'b']);
    const s = identitySourceFor({ requestId: 'r', upstream: { kind: 'pool', tenantId: 't', accountIds: ['a', 'b'] } }, 'gpt-4o', p.client, { onlyAccount: 'b' });
    expect(await s.next()).toMatchObject({ accountId: 'b' });
    expect(p.leases[0].allowed).toEqual(['b']);
    expect(p.leases[0].kind).toBeUndefined();
    await identitySourceFor({ requestId: 'r', upstream: { kind: 'pool', tenantId: 't' } }, 'gpt-4o', p.client, { kind: 'api_key' }).next();
    expect(p.leases[1].kind).toBe('api_key');
  });

  it('reports when a used-up Codex account resets, as the attempt learnt it, through withRotation', async () => {
    const p = pool(['a', 'b']);
    const s = identitySourceFor({ requestId: 'r', upstream: { kind: 'pool', tenantId: 't' } }, 'gpt-5.4', p.client, { kind: 'codex' });
    const limited: BusError = { status: 429, error: { message: 'The Codex account reached its usage limit.', type: 'rate_limit_error', param: null, code: 'usage_limit_reached' }, retryAfterSec: 600 };
    const tried: string[] = [];
    const result = await withRotation(s, 3, async (a) => {
      tried.push(a.accountId!);
      return a.accountId === 'a' ? { ok: false, failure: limited, resetsAtSec: 1_800_000_600 } : delivered;
    });
    expect(result).toEqual(delivered);
    expect(tried).toEqual(['a', 'b']);
    expect(p.leases.map((l) => l.kind)).toEqual(['codex', 'codex']);
    expect(p.reports).toEqual([{ accountId: 'a', model: 'gpt-5.4', outcome: 'usage_limited', clearsInSec: 600, resetsAtSec: 1_800_000_600, message: 'The Codex account reached its usage limit.' }]);
  });

  it("uses a caller's own token as it is: one attempt, nothing leased or reported", async () => {
    const p = pool(['a']);
    const s = identitySourceFor({ requestId: 'r', upstream: { kind: 'chatgpt_access_token', accessToken: 'eyJown', accountId: 'ws-1' } }, 'gpt-4o', p.client);
    expect(s.rotates).toBe(false);
    const own = (await s.next()) as LeasedAttempt;
    expect(own).toEqual({ ok: true, identity: { accessToken: 'eyJown', chatgptAccountId: 'ws-1', deviceId: null }, accountId: null, accountLabel: null });
    expect(await s.failed(own, failure(401, 'upstream_unauthorized'))).toBeNull();
    expect(p.leases).toEqual([]);
    expect(p.reports).toEqual([]);
  });
});
