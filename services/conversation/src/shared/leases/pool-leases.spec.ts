import { describe, expect, it } from '@jest/globals';
import type { AccountKey, AccountKeysReply, AccountLeaseRequest, AccountReport } from '@chatgate/contracts';
import { SnapshotLeases, type KeySource } from './pool-leases.js';

const key = (id: string, over: Partial<AccountKey> = {}): AccountKey => ({
  lease: { accountId: id, accessToken: `sk-${id}`, chatgptAccountId: null, deviceId: `d-${id}`, label: id, platform: { baseUrl: 'http://up/v1', organization: null, apiStyle: 'openai', apiVersion: null } },
  models: null,
  cooldowns: {},
  ...over,
});
const ask = (over: Partial<AccountLeaseRequest> = {}): AccountLeaseRequest => ({ tenantId: 't1', model: 'gpt-4o', exclude: [], requestId: 'r1', kind: 'api_key', ...over });

/** A ChatGPT login as the snapshot holds it: its plan, its token usable until `usableUntil`. */
const login = (id: string, over: Partial<AccountKey> = {}): AccountKey => ({
  lease: { accountId: id, accessToken: `at-${id}`, chatgptAccountId: `ws-${id}`, deviceId: `d-${id}`, label: id },
  models: null,
  cooldowns: {},
  plan: 'plus',
  usableUntil: null,
  ...over,
});

/** Auth as a fake: a snapshot per kind to hand out (API keys unless given), and a count of what reached it. */
function auth(keys: AccountKey[], random = false, logins: AccountKey[] = []) {
  const calls = { keys: 0, kinds: [] as string[], lease: [] as AccountLeaseRequest[], report: [] as AccountReport[] };
  let reply: AccountKeysReply = { ok: true, random, keys };
  const source: KeySource = {
    keys: async (_tenantId, kind) => {
      calls.keys++;
      calls.kinds.push(kind);
      return kind === 'chatgpt' && reply.ok ? { ...reply, keys: logins } : reply;
    },
    lease: async (r) => {
      calls.lease.push(r);
      return { ok: false, failure: { status: 503, error: { message: 'from auth', type: 'server_error', param: null, code: 'no_usable_account' } } };
    },
    report: async (r) => {
      calls.report.push(r);
      return { ok: true, lease: null };
    },
  };
  return { source, calls, set: (r: AccountKeysReply) => (reply = r) };
}

describe('SnapshotLeases: API keys and ChatGPT logins leased from local snapshots of the tenant, everything else from auth', () => {
  it('hands the keys out in turn without asking auth again, one snapshot per tenant', async () => {
    const a = auth([key('k1'), key('k2')]);
    const leases = new SnapshotLeases(a.source);
    const got = [];
    for (let i = 0; i < 4; i++) {
      const r = await leases.lease(ask());
      got.push(r.ok ? r.lease.accountId : null);
    }
    expect(got).toEqual(['k2', 'k1', 'k2', 'k1']);
    expect(a.calls.keys).toBe(1);
    expect(a.calls.lease).toHaveLength(0);
  });

  it('skips keys the request tried, keys outside the credential, keys that do not serve the model and keys cooling for it', async () => {
    const now = 1_000_000;
    const a = auth([key('tried'), key('other'), key('embeddings', { models: ['text-embedding-*'] }), key('cooling', { cooldowns: { 'gpt-4o': now + 1 } }), key('cooled', { cooldowns: { 'gpt-4o': now - 1 } })]);
    const leases = new SnapshotLeases(a.source, () => now);
    const r = await leases.lease(ask({ exclude: ['tried'], allowed: ['tried', 'embeddings', 'cooling', 'cooled'] }));
    expect(r).toMatchObject({ ok: true, lease: { accountId: 'cooled', accessToken: 'sk-cooled' } });
    const e = await leases.lease(ask({ model: 'text-embedding-3-large', allowed: ['embeddings', 'other'], exclude: ['other'] }));
    expect(e).toMatchObject({ ok: true, lease: { accountId: 'embeddings' } });
  });

  it('asks auth when the snapshot has no account that fits (its 429 or 503 says why), for a Codex login and for a download', async () => {
    const a = auth([key('k1', { models: ['gpt-4o'] })]);
    const leases = new SnapshotLeases(a.source);
    expect(await leases.lease(ask({ model: 'o3' }))).toMatchObject({ ok: false, failure: { error: { message: 'from auth' } } });
    await leases.lease(ask({ kind: 'chatgpt' }));
    await leases.lease(ask({ kind: 'codex' }));
    await leases.lease(ask({ purpose: 'download' }));
    await leases.lease(ask({ kind: 'chatgpt', purpose: 'download' }));
    expect(a.calls.lease.map((r) => r.kind ?? null)).toEqual(['api_key', 'chatgpt', 'codex', 'api_key', 'chatgpt']);
    expect(a.calls.kinds).toEqual(['api_key', 'chatgpt']);
  });

  it('leases ChatGPT logins (a request without a kind is one) from their own snapshot: in turn, by plan, never a token near its expiry', async () => {
    const now = 5_000_000;
    const a = auth([key('k1')], false, [login('plus1'), login('plus2'), login('free', { plan: 'free' }), login('expiring', { usableUntil: now }), login('later', { usableUntil: now + 1 })]);
    const leases = new SnapshotLeases(a.source, () => now);
    const got = [];
    for (let i = 0; i < 3; i++) {
      const r = await leases.lease(ask({ kind: undefined, model: 'gpt-5', exclude: ['later'] }));
      got.push(r.ok ? r.lease : null);
    }
    // The free plan lacks gpt-5; the expiring token is auth's to refresh: the two plus logins in turn.
    expect(got.map((l) => l?.accountId)).toEqual(['plus2', 'plus1', 'plus2']);
    expect(got[0]).toMatchObject({ accessToken: 'at-plus2', chatgptAccountId: 'ws-plus2' });
    expect(await leases.lease(ask({ kind: 'chatgpt', model: 'gpt-4o-mini', allowed: ['free'] }))).toMatchObject({ ok: true, lease: { accountId: 'free' } });
    expect(await leases.lease(ask({ kind: 'chatgpt', model: 'gpt-5', allowed: ['expiring'] }))).toMatchObject({ ok: false, failure: { error: { message: 'from auth' } } });
    expect(await leases.lease(ask({ kind: 'chatgpt', model: 'gpt-5', allowed: ['later'] }))).toMatchObject({ ok: true, lease: { accountId: 'later' } });
    // API keys and logins are apart: a key request never gets a login, nor the reverse.
    expect(await leases.lease(ask({ model: 'gpt-5' }))).toMatchObject({ ok: true, lease: { accountId: 'k1' } });
    expect(a.calls.lease.map((r) => r.allowed)).toEqual([['expiring']]);
    // A change for the tenant drops both of its snapshots.
    leases.forget('t1');
    await leases.lease(ask({ kind: 'chatgpt', model: 'gpt-4o' }));
    await leases.lease(ask({ model: 'gpt-4o' }));
    expect(a.calls.kinds).toEqual(['chatgpt', 'api_key', 'chatgpt', 'api_key']);
  });

  it('drops the snapshot on the change event, when it reports one of its keys, and after 30 s; a failed load is not kept', async () => {
    let now = 0;
    const a = auth([key('k1')]);
    const leases = new SnapshotLeases(a.source, () => now);
    await leases.lease(ask());
    leases.forget('other-tenant');
    await leases.lease(ask());
    expect(a.calls.keys).toBe(1);
    leases.forget('t1');
    await leases.lease(ask());
    expect(a.calls.keys).toBe(2);
    await leases.report({ accountId: 'k1', model: 'gpt-4o', outcome: 'rate_limited', message: '429' });
    expect(a.calls.report).toHaveLength(1);
    await leases.lease(ask());
    expect(a.calls.keys).toBe(3);
    now += 30_000;
    await leases.lease(ask());
    expect(a.calls.keys).toBe(4);
    a.set({ ok: false, failure: { status: 500, error: { message: 'x', type: 'server_error', param: null, code: 'pool_error' } } });
    leases.forget();
    expect(await leases.lease(ask())).toMatchObject({ ok: false, failure: { error: { message: 'from auth' } } });
    await leases.lease(ask());
    expect(a.calls.keys).toBe(6);
  });

  it('chooses at random when auth does (RANDOM_TOKEN)', async () => {
    const a = auth([key('k1'), key('k2'), key('k3')], true);
    const leases = new SnapshotLeases(a.source);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const r = await leases.lease(ask());
      if (r.ok) seen.add(r.lease.accountId);
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});
