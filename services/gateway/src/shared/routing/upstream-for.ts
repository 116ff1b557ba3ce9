import { routeRequest, type Endpoint, type Principal, type UpstreamKind } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';

/**
 * Which kind of upstream serves this request (`routeRequest`, the one decision every entry point
 * makes, from the cached principal: no hop), or the ApiError that refuses it.
 */
export function upstreamFor(principal: Principal, model: string, endpoint: Endpoint): UpstreamKind {
  const decision = routeRequest({ credential: principal.upstream.kind, routes: principal.modelRoutes, model, endpoint });
  if (!decision.ok) throw ApiError.fromBus(decision.failure);
  return decision.upstream;
}
