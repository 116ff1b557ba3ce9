import { routeRequest, type Endpoint, type Principal, type UpstreamKind } from '@chatgate/contracts';
import { annotateRequest } from '@chatgate/service-kit';
import { ApiError } from '../errors/api-error.js';

/**
 * Which kind of upstream serves this request (`routeRequest`, the one decision every entry point
 * makes, from the cached principal: no hop), or the ApiError that refuses it.
 */
export function upstreamFor(principal: Principal, model: string, endpoint: Endpoint): UpstreamKind {
  const decision = routeRequest({ credential: principal.upstream.kind, routes: principal.modelRoutes, model, endpoint });
  annotateRequest({ tenant: principal.tenantId, user: principal.userId ?? undefined, model });
  if (!decision.ok) throw ApiError.fromBus(decision.failure);
  // The request's metrics and access line are labelled with the kind that serves it.
  annotateRequest({ upstream: decision.upstream });
  return decision.upstream;
}
