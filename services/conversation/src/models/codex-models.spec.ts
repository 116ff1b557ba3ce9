import { describe, expect, it } from '@jest/globals';
import type { AccountPlansRequest, ListModelsRequest } from '@chatgate/contracts';
import type { ConversationConfig } from '../conversation.config.js';
import { CodexModels } from './codex-models.js';
import { ListingCache } from './listing-cache.js';

const lease = (id: string) => ({ accountId: id, accessToken: `tok-${id}`, chatgptAccountId: `acc-${id}`, deviceId: 'd', label: id });

function harness(plans: Array<{ plan: string | null; id: string }>) {
  const asked: AccountPlansRequest[] = [];
  const catalogs: string[] = [];
  const observed: string[] = [];
  const models = new CodexModels(
    {
      models: async (identity: { accessToken: string }) => {
        catalogs.push(identity.accessToken);
        const entry = (slug: string) => ({ slug, displayName: null, raw: { slug, base_instructions: 'You are Codex.' } });
        return { ok: true, models: [entry('gpt-5.4'), entry('gpt-5.5'), entry('o3')], limits: null };
      },
    } as never,
    {
      plans: async (r: AccountPlansRequest) => {
        asked.push(r);
        return { ok: true, plans: plans.map((p) => ({ plan: p.plan, lease: lease(p.id) })) };
      },
    } as never,
    { observed: (id: string) => void observed.push(id) } as never,
    { UPSTREAM_MODELS_TTL_MS: 60_000 } as ConversationConfig,
    { warn: () => undefined } as never,
  );
  return { models, asked, catalogs, observed };
}

const request = (routes: ListModelsRequest['routes'], accountIds?: string[]): ListModelsRequest => ({ tenantId: 't', upstream: { kind: 'pool', tenantId: 't', ...(accountIds ? { accountIds } : {}) }, routes });

describe('CodexModels', () => {
  it('lists the catalog models the table routes to Codex, one catalog per plan, cached', async () => {
    const h = harness([
      { plan: 'plus', id: 'a' },
      { plan: 'pro', id: 'b' },
    ]);
    const routes = [{ model: 'gpt-5*', upstream: 'codex' as const }];
    expect(await h.models.list(request(routes, ['a', 'b']))).toEqual([
      { id: 'gpt-5.4', upstreamSlug: 'gpt-5.4', ownedBy: 'codex', codex: { slug: 'gpt-5.4', base_instructions: 'You are Codex.' } },
      { id: 'gpt-5.5', upstreamSlug: 'gpt-5.5', ownedBy: 'codex', codex: { slug: 'gpt-5.5', base_instructions: 'You are Codex.' } },
    ]);
    expect(h.asked).toEqual([{ tenantId: 't', kind: 'codex', allowed: ['a', 'b'] }]);
    expect(h.catalogs).toEqual(['tok-a', 'tok-b']);
    expect(h.observed).toEqual(['a', 'b']);
    await h.models.list(request(routes));
    expect(h.catalogs).toHaveLength(2);
  });

  it('asks nothing for a table that sends nothing to Codex, or for a caller without a pool', async () => {
    const h = harness([{ plan: 'plus', id: 'a' }]);
    expect(await h.models.list(request(undefined))).toEqual([]);
    expect(await h.models.list(request([{ model: 'gpt-4o*', upstream: 'platform' }]))).toEqual([]);
    expect(await h.models.list({ tenantId: 't', upstream: { kind: 'chatgpt_access_token', accessToken: 'x' }, routes: [{ model: '*', upstream: 'codex' }] })).toEqual([]);
    expect(h.asked).toEqual([]);
  });
});

describe('ListingCache', () => {
  it('shares one call between askers, keeps it for the TTL, and forgets a failure at once', async () => {
    const cache = new ListingCache<number>(1000);
    let calls = 0;
    const fetch = async () => ++calls;
    expect(await Promise.all([cache.get('k', fetch, 0), cache.get('k', fetch, 10)])).toEqual([1, 1]);
    expect(await cache.get('k', fetch, 2000)).toBe(2);
    await expect(cache.get('f', () => Promise.reject(new Error('down')), 0)).rejects.toThrow('down');
    expect(await cache.get('f', fetch, 1)).toBe(3);
  });
});
