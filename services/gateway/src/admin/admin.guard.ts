import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { earlyActorOf, setAdminActor } from './admin-actor.js';
import { AdminAuthenticator } from './admin-authenticator.js';

/** The operator picks a tenant by slug with this header; a tenant admin naming another tenant gets 404. */
export const TENANT_HEADER = 'x-chatgate-tenant';

/** On every admin route: authenticates the admin (throws the refusal in OpenAI's envelope) and records the actor. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly authenticator: AdminAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // Admin answers (get-user-info's carry tokens) are never kept by a browser or a proxy, refusals included.
    void http.getResponse<FastifyReply>().header('cache-control', 'no-store');
    const actor = earlyActorOf(request) ?? (await this.authenticator.authenticateAny(request.headers.authorization, request.ip));
    const tenant = request.headers[TENANT_HEADER];
    const slug = (Array.isArray(tenant) ? tenant[0] : tenant)?.trim();
    // The client's address goes with every admin request, for the audit log's "from where".
    setAdminActor(request, { ...actor, ...(slug ? { tenant: slug } : {}), address: request.ip.slice(0, 100) });
    return true;
  }
}
