import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AdminActor } from '@chatgate/contracts';

// Keyed by the request object itself, so an entry lives exactly as long as its request.
const actors = new WeakMap<object, AdminActor>();

export function setAdminActor(request: object, actor: AdminActor): void {
  actors.set(request, actor);
}

/** The actor AdminGuard authenticated; a handler without the guard fails loudly rather than acting as nobody. */
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): AdminActor => {
  const actor = actors.get(ctx.switchToHttp().getRequest<object>());
  if (!actor) throw new Error('admin route without AdminGuard');
  return actor;
});
