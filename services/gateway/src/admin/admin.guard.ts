import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setAdminActor } from './admin-actor.js';
import { AdminAuthenticator } from './admin-authenticator.js';

/** On every admin route: authenticates the admin (throws the refusal in OpenAI's envelope) and records the actor. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly authenticator: AdminAuthenticator) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // Admin answers (get-user-info's carry tokens) are never kept by a browser or a proxy, refusals included.
    void http.getResponse<FastifyReply>().header('cache-control', 'no-store');
    setAdminActor(request, this.authenticator.authenticate(request.headers.authorization, request.ip));
    return true;
  }
}
