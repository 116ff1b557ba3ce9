import type { GatewayConfig } from '../config/gateway.config.js';

/** The path prefix every public route is served under (`API_PREFIX`, else ChatGPT-Mirror's `MIRROR_API_PREFIX`), without slashes. */
export function apiPrefixOf(config: Pick<GatewayConfig, 'API_PREFIX' | 'MIRROR_API_PREFIX'>): string {
  return (config.API_PREFIX || config.MIRROR_API_PREFIX).replace(/^\/+|\/+$/g, '');
}
