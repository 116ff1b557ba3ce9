import type { FastifyRequest } from 'fastify';
import { apiPrefixOf } from './api-prefix.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { headerValue } from './request-input.js';

/** A forwarding header's first hop (`X-Forwarded-Host: a, b` → `a`). */
const first = (value: string | string[] | undefined) => headerValue(value)?.split(',')[0].trim() || undefined;

/**
 * The absolute prefix of generated-file links, `<origin>/<API_PREFIX>/v1/files/`: PUBLIC_URL when
 * set, else the origin the client reached (a reverse proxy's X-Forwarded-Proto/Host first).
 * Undefined when neither is known; files are then not linked.
 */
export function filesBaseUrl(config: Pick<GatewayConfig, 'PUBLIC_URL' | 'API_PREFIX' | 'MIRROR_API_PREFIX'>, req: Pick<FastifyRequest, 'headers' | 'protocol'>): string | undefined {
  let origin = config.PUBLIC_URL?.replace(/\/+$/, '');
  if (!origin) {
    const host = first(req.headers['x-forwarded-host']) ?? first(req.headers.host);
    const proto = first(req.headers['x-forwarded-proto']) ?? req.protocol;
    if (!host || !/^[A-Za-z0-9.\-:[\]]+$/.test(host) || (proto !== 'http' && proto !== 'https')) return undefined;
    origin = `${proto}://${host}`;
  }
  const prefix = apiPrefixOf(config);
  return `${origin}/${prefix ? `${prefix}/` : ''}v1/files/`;
}
