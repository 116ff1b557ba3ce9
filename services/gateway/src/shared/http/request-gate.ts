import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyConcurrentRequests, unknownUrl, type Principal } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';
import type { CredentialResolver } from '../credentials/credential-resolver.service.js';
import { bearerFrom } from './bearer.js';
import { workspaceOf } from './request-input.js';

/** Methods whose body Fastify reads (and parses) before a handler runs. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Admin routes (AdminGuard): the admin API, chat2api's token pool, ChatGPT-Mirror's admin calls. */
const ADMIN_ROUTES = [/^\/admin\//, /^\/tokens(\/|$)/, /^\/api\/(get-user-info|login|logout|get-mirror-token|get-user-use-count|get-chatgpt-use-count)$/];

export type RouteClass = 'admin' | 'client' | 'open';

/**
 * Which credential a route takes, from its pattern without the API prefix: `admin` (the admin password or a
 * tenant admin key), `client` (a client credential: the OpenAI API, the web protocol, conversations, voice),
 * `open` (health, the console's files, a sealed file link, ChatGPT-Mirror's pages: no credential, or an optional one).
 */
export function routeClassOf(route: string): RouteClass {
  if (ADMIN_ROUTES.some((r) => r.test(route))) return 'admin';
  if (route.startsWith('/v1/files/') || route.startsWith('/health') || route.startsWith('/console')) return 'open';
  if (/^\/(v1|backend-api|chatgpt|dashboard)\//.test(route) || route === '/api/livekit') return 'client';
  return 'open';
}

/**
 * Requests one principal has running, per gateway replica. A slot is taken when the credential is known
 * and given back when the answer ends or the connection closes, whichever comes first.
 */
export class InFlightLimiter {
  private readonly running = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for the principal until `done` fires, or throws 429 `too_many_concurrent_requests`. */
  enter(principal: Principal, done: { once(event: 'close', listener: () => void): unknown }): void {
    if (this.max <= 0) return;
    const key = principalKey(principal);
    const now = this.running.get(key) ?? 0;
    if (now >= this.max) throw ApiError.fromBus(tooManyConcurrentRequests(this.max));
    this.running.set(key, now + 1);
    done.once('close', () => {
      const left = (this.running.get(key) ?? 1) - 1;
      if (left > 0) this.running.set(key, left);
      else this.running.delete(key);
    });
  }

  /** Principals with requests running (tests, metrics). */
  size(): number {
    return this.running.size;
  }
}

/** One user's keys share the user's count; pool codes and tokens count for themselves. */
function principalKey(principal: Principal): string {
  return principal.userId ? `user:${principal.tenantId}:${principal.userId}` : `credential:${principal.credentialId}`;
}

export interface RequestGateOptions {
  /** API_PREFIX without slashes ('' for none). */
  prefix: string;
  credentials: CredentialResolver;
  inFlight: InFlightLimiter;
  /** Authenticates an admin request (AdminGuard then reuses the result); throws the refusal. */
  authenticateAdmin?: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/**
 * The credential before the body. Runs as Fastify's first hook (onRequest), before a byte of the body
 * is read, parsed or validated: an unknown URL is a 404, a request without a valid credential a 401 (an
 * admin route's a 401/403), a principal over its in-flight cap a 429 — so a stranger's megabytes cost
 * nothing but the socket. Handlers resolve the credential again and find it in the cache.
 */
export function installRequestGate(fastify: FastifyInstance, opts: RequestGateOptions): void {
  const prefix = opts.prefix ? `/${opts.prefix}` : '';
  fastify.addHook('onRequest', async (req, reply) => {
    if (req.is404) {
      // A body sent to nowhere is never read.
      if (BODY_METHODS.has(req.method)) throw ApiError.fromBus(unknownUrl());
      return;
    }
    if (!BODY_METHODS.has(req.method)) return;
    let route = req.routeOptions.url ?? '';
    if (prefix && route.startsWith(prefix)) route = route.slice(prefix.length);
    switch (routeClassOf(route)) {
      case 'admin':
        if (opts.authenticateAdmin) await opts.authenticateAdmin(req, reply);
        return;
      case 'client': {
        const principal = await opts.credentials.resolve(bearerFrom(req.headers.authorization), workspaceOf(req), req.ip);
        opts.inFlight.enter(principal, reply.raw);
        return;
      }
      case 'open':
        return;
    }
  });
}
