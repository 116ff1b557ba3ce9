import { PLATFORM_USAGE_KIND, type UsageKind } from '@chatgate/contracts';

/** The platform API paths chatgate passes through, relative to an account's base URL. */
export const PLATFORM_PATHS = {
  '/chat/completions': { method: 'POST', kind: PLATFORM_USAGE_KIND['/chat/completions'] },
  '/completions': { method: 'POST', kind: PLATFORM_USAGE_KIND['/completions'] },
  '/embeddings': { method: 'POST', kind: PLATFORM_USAGE_KIND['/embeddings'] },
  '/images/generations': { method: 'POST', kind: PLATFORM_USAGE_KIND['/images/generations'] },
  '/audio/speech': { method: 'POST', kind: PLATFORM_USAGE_KIND['/audio/speech'] },
  '/models': { method: 'GET', kind: PLATFORM_USAGE_KIND['/models'] },
  '/responses': { method: 'POST', kind: PLATFORM_USAGE_KIND['/responses'] },
  '/responses/compact': { method: 'POST', kind: PLATFORM_USAGE_KIND['/responses/compact'] },
  '/responses/input_tokens': { method: 'POST', kind: PLATFORM_USAGE_KIND['/responses/input_tokens'] },
} as const satisfies Record<string, { method: 'GET' | 'POST'; kind: UsageKind | null }>;
export type PlatformPath = keyof typeof PLATFORM_PATHS;
/** A stored response on the key holding it (`/responses/{id}`, `…/cancel`, `…/input_items`: `storedResponsePathOf`). */
export type StoredResponsePath = `/responses/${string}`;

/** The method and usage kind of a request: a fixed path's, or a stored response's (its method as the client sent it; never counted). */
export function platformRouteOf(request: Pick<PlatformRequest, 'path' | 'method'>): { method: 'GET' | 'POST' | 'DELETE'; kind: UsageKind | null } {
  const fixed = (PLATFORM_PATHS as Record<string, { method: 'GET' | 'POST'; kind: UsageKind | null } | undefined>)[request.path];
  return fixed ?? { method: request.method ?? 'GET', kind: null };
}

/** One client request for the platform upstream, as the gateway (or the relay) hands it over. */
export interface PlatformRequest {
  requestId: string;
  path: PlatformPath | StoredResponsePath;
  /** For a stored response's path: GET, POST (cancel) or DELETE. Fixed paths have their own. */
  method?: 'GET' | 'POST' | 'DELETE';
  /** The raw query string without `?` (input_items' `limit`, `order`, `after`), empty when none. */
  query?: string;
  /** The JSON body as the client sent it (absent for GET). */
  body?: Record<string, unknown>;
  /** Who asks, for the lease and the usage event (the principal's fields). */
  tenantId: string;
  /** The credential's allowed accounts, if restricted. */
  allowedAccountIds?: string[];
  credentialId: string;
  userId: string | null;
  userName: string | null;
}

/** What is sent upstream: the client's body, with include_usage on a streamed chat or completion. */
export interface PreparedBody {
  json: string | undefined;
  stream: boolean;
  /** Whether the client itself asked for the usage chunk (it then sees it). */
  clientAskedUsage: boolean;
  model: string;
}

export function prepareBody(request: PlatformRequest): PreparedBody {
  const body = request.body;
  const model = typeof body?.model === 'string' ? body.model : '';
  if (!body) return { json: undefined, stream: false, clientAskedUsage: false, model };
  const stream = body.stream === true;
  const options = body.stream_options && typeof body.stream_options === 'object' ? (body.stream_options as Record<string, unknown>) : null;
  const clientAskedUsage = options?.include_usage === true;
  const usageCapable = request.path === '/chat/completions' || request.path === '/completions';
  if (stream && usageCapable && !clientAskedUsage) {
    // Only this one field changes; everything else goes up exactly as the client sent it.
    return { json: JSON.stringify({ ...body, stream_options: { ...(options ?? {}), include_usage: true } }), stream, clientAskedUsage, model };
  }
  return { json: JSON.stringify(body), stream, clientAskedUsage, model };
}
