import { describe, expect, it } from '@jest/globals';
import { ENDPOINTS, REACHABLE_KINDS, routeRequest, type Endpoint, type RouteQuery } from './route-request.js';
import { UPSTREAM_KINDS, type UpstreamKind } from './upstream-kind.js';
import type { ModelRoute } from './model-routes.schema.js';

const routes: ModelRoute[] = [
  { model: 'gpt-4o-mini', upstream: 'platform' },
  { model: 'tts-*', upstream: 'platform' },
  { model: 'text-embedding-*', upstream: 'platform' },
  { model: 'gpt-5.*', upstream: 'codex' },
];

/** `table` null: the tenant set none (DEFAULT_MODEL_ROUTES). */
const decide = (credential: RouteQuery['credential'], endpoint: Endpoint, model: string, table: ModelRoute[] | null = routes) => {
  const decision = routeRequest({ credential, routes: table ?? undefined, model, endpoint });
  return decision.ok ? decision.upstream : { status: decision.failure.status, code: decision.failure.error.code };
};

describe('routeRequest', () => {
  it.each<[RouteQuery['credential'], Endpoint, string, UpstreamKind | { status: number; code: string }]>([
    // A tenant credential: the table decides, the endpoint must serve the kind.
    ['pool', 'chat', 'gpt-4o', 'chatgpt'],
    ['pool', 'chat', 'gpt-4o-mini', 'platform'],
    ['pool', 'speech', 'tts-1', 'platform'],
    ['pool', 'speech', 'gpt-4o-mini-tts', 'chatgpt'],
    ['pool', 'embeddings', 'text-embedding-3-small', 'platform'],
    ['pool', 'embeddings', 'gpt-4o', { status: 400, code: 'model_not_supported' }],
    ['pool', 'completions', 'gpt-4o', { status: 400, code: 'model_not_supported' }],
    ['pool', 'models', 'gpt-4o-mini', 'platform'],
    // Codex accounts answer chat (and list their models); other endpoints are not theirs.
    ['pool', 'chat', 'gpt-5.4', 'codex'],
    ['pool', 'models', 'gpt-5.4', 'codex'],
    ['pool', 'speech', 'gpt-5.4', { status: 400, code: 'model_not_supported' }],
    ['pool', 'embeddings', 'gpt-5.4', { status: 400, code: 'model_not_supported' }],
    ['chatgpt_access_token', 'chat', 'gpt-5.4', { status: 403, code: 'platform_unavailable' }],
    // The Responses API: every kind; compaction on keys and Codex; token counting on keys only.
    ['pool', 'responses', 'gpt-4o', 'chatgpt'],
    ['pool', 'responses', 'gpt-4o-mini', 'platform'],
    ['pool', 'responses', 'gpt-5.4', 'codex'],
    ['pool', 'responses_compact', 'gpt-5.4', 'codex'],
    ['pool', 'responses_compact', 'gpt-4o', { status: 400, code: 'model_not_supported' }],
    ['pool', 'responses_input_tokens', 'gpt-4o-mini', 'platform'],
    ['pool', 'responses_input_tokens', 'gpt-5.4', { status: 400, code: 'model_not_supported' }],
    // The web protocol and voice rooms speak ChatGPT's own protocol: the table does not apply.
    ['pool', 'web', 'gpt-4o-mini', 'chatgpt'],
    ['pool', 'voice_room', 'voice', 'chatgpt'],
    // A caller's own ChatGPT token reaches its own account only.
    ['chatgpt_access_token', 'chat', 'gpt-4o', 'chatgpt'],
    ['chatgpt_access_token', 'chat', 'gpt-4o-mini', { status: 403, code: 'platform_unavailable' }],
    ['chatgpt_access_token', 'embeddings', 'text-embedding-3-small', { status: 403, code: 'platform_unavailable' }],
    // Whatever the model: no routing gives a ChatGPT token an API key, so no "ask an administrator".
    ['chatgpt_access_token', 'embeddings', 'gpt-4o', { status: 403, code: 'platform_unavailable' }],
    ['chatgpt_access_token', 'images', 'gpt-4', { status: 403, code: 'platform_unavailable' }],
    ['chatgpt_access_token', 'models', 'gpt-4o-mini', { status: 403, code: 'platform_unavailable' }],
    ['chatgpt_access_token', 'web', 'gpt-4o-mini', 'chatgpt'],
    // …but speech on ChatGPT accounts takes any model name, so it is spoken there (see ENDPOINTS.speech).
    ['chatgpt_access_token', 'speech', 'tts-1', 'chatgpt'],
  ])('%s %s %s → %j', (credential, endpoint, model, expected) => {
    expect(decide(credential, endpoint, model)).toEqual(expected);
  });

  it('uses the default table when the tenant has none', () => {
    expect(decide('pool', 'embeddings', 'text-embedding-3-large', null)).toBe('platform');
    expect(decide('pool', 'chat', 'gpt-4o-mini', null)).toBe('chatgpt');
    expect(decide('pool', 'images', 'dall-e-3', null)).toBe('platform');
  });

  it('tells a ChatGPT token which credential serves a platform-only endpoint, never to ask for a route', () => {
    const refused = routeRequest({ credential: 'chatgpt_access_token', routes, model: 'gpt-4o', endpoint: 'embeddings' });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.failure.error.message).toMatch(/^\/v1\/embeddings is served by API-key \(platform\) accounts only, and a ChatGPT token reaches its own ChatGPT account only\. Use a chatgate key/);
    expect(refused.failure.error.message).not.toMatch(/administrator/);
  });

  it('names the endpoint and the kinds in a refusal', () => {
    const refused = routeRequest({ credential: 'pool', routes, model: 'gpt-4o', endpoint: 'embeddings' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.failure.error).toMatchObject({ param: 'model', message: expect.stringContaining('/v1/embeddings') });
  });

  it('answers the same decision object for the same kind (no allocation per request)', () => {
    expect(routeRequest({ credential: 'pool', routes, model: 'gpt-4o', endpoint: 'chat' })).toBe(routeRequest({ credential: 'pool', routes, model: 'o3', endpoint: 'chat' }));
  });

  it('serves every endpoint by some kind, and lets a tenant credential reach every kind', () => {
    for (const rule of Object.values(ENDPOINTS)) expect(rule.servedBy.length).toBeGreaterThan(0);
    expect([...REACHABLE_KINDS.pool]).toEqual([...UPSTREAM_KINDS]);
  });
});
