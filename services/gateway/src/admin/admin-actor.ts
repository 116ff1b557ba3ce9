import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminActor } from '@chatgate/contracts';
import type { AdminAuthenticator } from './admin-authenticator.js';

// Keyed by the request object itself, so an entry lives exactly as long as its request.
const actors = new WeakMap<object, AdminActor>();

export function setAdminActor(request: object, actor: AdminActor): void {
  actors.set(request, actor);
}

// Admins authenticated before their body was read (the gateway's request gate), for AdminGuard to take.
const early = new WeakMap<object, AdminActor>();

/** Authenticates an admin request before its body is read; AdminGuard then takes the result instead of asking again. */
export async function authenticateEarly(request: FastifyRequest, reply: FastifyReply, authenticator: AdminAuthenticator): Promise<void> {
  // Admin answers are never kept by a browser or a proxy, refusals included.
  void reply.header('cache-control', 'no-store');
  early.set(request, await authenticator.authenticateAny(request.headers.authorization, request.ip));
}

/** The actor authenticated early for this request, if any. */
export function earlyActorOf(request: object): AdminActor | undefined {
  return early.get(request);
}

/** The actor AdminGuard authenticated; a handler without the guard fails loudly rather than acting as nobody. */
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): AdminActor => {
  const actor = actors.get(ctx.switchToHttp().getRequest<object>());
  if (!actor) throw new Error('admin route without AdminGuard');
  return actor;
});
