import type { UpstreamCredential } from '../auth/auth.schemas.js';
import type { BusError } from '../common/openai-error.js';
import { endpointUnavailableFor, modelNotSupported, upstreamUnavailableFor } from '../failures/request-failures.js';
import type { ModelRoute } from './model-routes.schema.js';
import { routeModel } from './route-model.js';
import { UPSTREAM_KINDS, UPSTREAM_NAMES, type UpstreamKind } from './upstream-kind.js';

/** Each public entry point that needs an upstream, and what it is to routing. */
interface EndpointRule {
  /** How messages name it. */
  readonly path: string;
  /** The kinds that serve it; a model the table routes elsewhere is refused (400 `model_not_supported`). */
  readonly servedBy: readonly UpstreamKind[];
  /**
   * The caller speaks this kind's own protocol (the ChatGPT web backend, its voice rooms): the
   * routing table, which maps OpenAI model names to kinds, does not apply.
   */
  readonly native?: UpstreamKind;
  /**
   * Kinds whose service for this endpoint does not depend on the model name (it only labels limits
   * and usage): a caller who cannot reach the kind the table names is served by this one instead.
   */
  readonly anyModelOn?: UpstreamKind;
}

export const ENDPOINTS = {
  chat: { path: '/v1/chat/completions', servedBy: ['chatgpt', 'platform', 'codex'] },
  /**
   * Speech differs from chat for a caller's own ChatGPT token: ChatGPT accounts speak with the one
   * voice model the upstream has, whatever model the request names, so a model the tenant's table
   * routes to its API keys is still spoken on the caller's own account. Chat cannot do that: the
   * ChatGPT backend would answer with another model than the one named, so it is refused (403).
   */
  speech: { path: '/v1/audio/speech', servedBy: ['chatgpt', 'platform'], anyModelOn: 'chatgpt' },
  /** The Responses API: relayed to API keys, native on Codex accounts, translated to the chat job on ChatGPT accounts. */
  responses: { path: '/v1/responses', servedBy: ['chatgpt', 'platform', 'codex'] },
  /** Remote compaction: the platform's own, or passed to the Codex backend's; the ChatGPT backend has none. */
  responses_compact: { path: '/v1/responses/compact', servedBy: ['platform', 'codex'] },
  /** Token counting: only the platform answers it. */
  responses_input_tokens: { path: '/v1/responses/input_tokens', servedBy: ['platform'] },
  completions: { path: '/v1/completions', servedBy: ['platform'] },
  embeddings: { path: '/v1/embeddings', servedBy: ['platform'] },
  images: { path: '/v1/images/generations', servedBy: ['platform'] },
  /** Listing: which kind each listed model is served by for this caller. */
  models: { path: '/v1/models', servedBy: UPSTREAM_KINDS },
  web: { path: '/backend-api', servedBy: ['chatgpt'], native: 'chatgpt' },
  voice_room: { path: '/api/livekit', servedBy: ['chatgpt'], native: 'chatgpt' },
} as const satisfies Record<string, EndpointRule>;
export type Endpoint = keyof typeof ENDPOINTS;

/**
 * The kinds a credential can reach. A caller's own ChatGPT token reaches its own ChatGPT account
 * only (API keys and other accounts belong to a tenant); a tenant credential (pool code, gateway key,
 * mirror token) reaches every kind its tenant's pool holds.
 */
export const REACHABLE_KINDS = {
  chatgpt_access_token: ['chatgpt'],
  pool: UPSTREAM_KINDS,
} as const satisfies Record<UpstreamCredential['kind'], readonly UpstreamKind[]>;

export function reachableKinds(credential: UpstreamCredential['kind']): readonly UpstreamKind[] {
  return REACHABLE_KINDS[credential];
}

export type UpstreamDecision = { readonly ok: true; readonly upstream: UpstreamKind } | { readonly ok: false; readonly failure: BusError };

export interface RouteQuery {
  /** `principal.upstream.kind`: whose credential the request is made with. */
  credential: UpstreamCredential['kind'];
  /** `principal.modelRoutes`: the tenant's routing table (absent: DEFAULT_MODEL_ROUTES). */
  routes: readonly ModelRoute[] | undefined;
  /** The model as the client named it. */
  model: string;
  endpoint: Endpoint;
}

// One answer object per kind, made once: routing runs on every request.
const DECIDED = Object.fromEntries(UPSTREAM_KINDS.map((kind) => [kind, Object.freeze({ ok: true, upstream: kind })])) as Record<UpstreamKind, UpstreamDecision>;

/**
 * Which upstream serves this request: the one routing decision every entry point calls (chat,
 * speech, the platform-only endpoints, the models listing, the web protocol, voice rooms), in memory
 * from the cached principal. In order:
 * 1. an endpoint that speaks one kind's own protocol goes there, whatever the table says;
 * 2. else the tenant's table names a kind for the model;
 * 3. an endpoint the credential can reach no server of is refused (403 `platform_unavailable`, saying
 *    which credential would do); a kind the endpoint has no service for is refused (400 `model_not_supported`);
 * 4. a kind the credential cannot reach is refused (403 `platform_unavailable`), unless the endpoint's
 *    `anyModelOn` kind can serve the request under any model name (speech, see ENDPOINTS).
 */
export function routeRequest(query: RouteQuery): UpstreamDecision {
  const rule: EndpointRule = ENDPOINTS[query.endpoint];
  if (rule.native) return DECIDED[rule.native];
  const reachable = reachableKinds(query.credential);
  // An endpoint this credential can reach no server of (a caller's own ChatGPT token asking for
  // embeddings): no routing could change that, so the answer says what would.
  if (!rule.servedBy.some((k) => reachable.includes(k))) {
    return { ok: false, failure: endpointUnavailableFor(rule.path, rule.servedBy.map((k) => UPSTREAM_NAMES[k]).join(' or ')) };
  }
  const kind = routeModel(query.routes, query.model);
  if (!rule.servedBy.includes(kind)) return { ok: false, failure: modelNotSupported(query.model, UPSTREAM_NAMES[kind], rule.path, rule.servedBy.map((k) => UPSTREAM_NAMES[k]).join(' or ')) };
  if (reachable.includes(kind)) return DECIDED[kind];
  if (rule.anyModelOn && reachable.includes(rule.anyModelOn)) return DECIDED[rule.anyModelOn];
  return { ok: false, failure: upstreamUnavailableFor(query.model, UPSTREAM_NAMES[kind]) };
}
