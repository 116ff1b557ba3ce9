import { PLATFORM_USAGE_KIND, type UsageKind } from '@chatgate/contracts';

/** The platform API paths chatgate passes through, relative to an account's base URL. */
export const PLATFORM_PATHS = {
  '/chat/completions': { method: 'POST', kind: PLATFORM_USAGE_KIND['/chat/completions'] },
  '/completions': { method: 'POST', kind: PLATFORM_USAGE_KIND['/completions'] },
  '/embeddings': { method: 'POST', kind: PLATFORM_USAGE_KIND['/embeddings'] },
  '/images/generations': { method: 'POST', kind: PLATFORM_USAGE_KIND['/images/generations'] },
  '/audio/speech': { method: 'POST', kind: PLATFORM_USAGE_KIND['/audio/speech'] },
  '/models': { method: 'GET', kind: PLATFORM_USAGE_KIND['/models'] },
} as const satisfies Record<string, { method: 'GET' | 'POST'; kind: UsageKind | null }>;
export type PlatformPath = keyof typeof PLATFORM_PATHS;

/** One client request for the platform upstream, as the gateway (or the relay) hands it over. */
export interface PlatformRequest {
  requestId: string;
  path: PlatformPath;
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
