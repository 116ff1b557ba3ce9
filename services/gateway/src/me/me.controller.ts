import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { USAGE_QUERY, USAGE_USER_COUNTS, usagePageSchema, userCountsSchema, type Principal } from '@chatgate/contracts';
import { apiPrefixOf } from '../shared/http/api-prefix.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { ApiError } from '../shared/errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { UsageBusClient } from '../shared/bus/usage-bus.client.js';
import { renderMePage, renderRefusedPage, type MePageView } from './me-page.js';
import { PAGE_COOKIE, pageCookie, readCookie } from './page-cookie.js';
import { PAGE_SESSION_TTL_MS, PageSessions } from './page-sessions.js';

const DAY_MS = 86_400_000;
const TOKEN_MAX = 500;

/**
 * ChatGPT-Mirror's login-free link (`/api/not-login`) and the user page it leads to (`/me`).
 * No admin guard: the user's own token is the credential. It arrives in a URL, so it is never logged
 * (no request logging, and nothing here logs) and never put in the cookie.
 */
@Controller()
export class MePageController {
  private readonly prefix: string;

  constructor(
    private readonly resolver: CredentialResolver,
    private readonly usage: UsageBusClient,
    private readonly sessions: PageSessions,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    const prefix = apiPrefixOf(config);
    this.prefix = prefix ? `/${prefix}` : '';
  }

  @Get('api/not-login')
  async notLogin(@Query('user_gateway_token') token: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    html(reply);
    if (typeof token !== 'string' || !token || token.length > TOKEN_MAX) return refuse(reply, 401, 'The link carries no token.');
    const principal = await this.userOf(token, reply);
    if (typeof principal === 'string') return principal;
    const handle = this.sessions.open(token);
    void reply.header('set-cookie', pageCookie(handle, { path: this.prefix || '/', maxAgeMs: PAGE_SESSION_TTL_MS, secure: req.protocol === 'https' }));
    void reply.status(302).header('location', `${this.prefix}/me`);
    return '';
  }

  @Get('me')
  async me(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    html(reply);
    const handle = readCookie(req.headers.cookie, PAGE_COOKIE);
    const bearer = this.sessions.bearerOf(handle);
    if (!handle || !bearer) return refuse(reply, 401, 'This browser is not signed in.');
    const principal = await this.userOf(bearer, reply);
    if (typeof principal === 'string') {
      // The token was revoked (or its user logged out): the session ends with it.
      if (reply.statusCode === 401) this.sessions.close(handle);
      return principal;
    }
    const view: MePageView = {
      name: principal.userName ?? principal.label,
      baseUrl: `${req.protocol}://${req.host}${this.prefix}/v1`,
      ...(await this.usageOf(principal)),
    };
    return renderMePage(view);
  }

  /** The token's user, or the refusal page already set on the reply (tokens that belong to no user are refused too). */
  private async userOf(bearer: string, reply: FastifyReply): Promise<(Principal & { userId: string }) | string> {
    let principal: Principal;
    try {
      principal = await this.resolver.resolve(bearer, undefined, reply.request.ip);
    } catch (err) {
      if (err instanceof ApiError && err.status >= 500) return refuse(reply, 503, 'The gateway cannot check the token right now. Try again shortly.');
      if (err instanceof ApiError) return refuse(reply, 401, 'The token is not valid (or no longer).');
      throw err;
    }
    if (principal.userId === null) return refuse(reply, 401, "The token is not a user's token.");
    return { ...principal, userId: principal.userId };
  }

  /** Today's and the last 24 hours' requests; the page still answers (without numbers) when the usage service does not. */
  private async usageOf(principal: Principal & { userId: string }): Promise<Pick<MePageView, 'today' | 'models'>> {
    const now = Date.now();
    const scope = { scopeTenantId: principal.tenantId };
    try {
      const [counts, page] = await Promise.all([
        this.usage.query(USAGE_USER_COUNTS, { ...scope, names: [principal.userId], since: Math.floor(now / DAY_MS) * DAY_MS }, userCountsSchema),
        this.usage.query(USAGE_QUERY, { ...scope, user: principal.userId, from: now - DAY_MS, to: now, granularity: 'day', page: 1, limit: 1000 }, usagePageSchema),
      ]);
      const models = new Map<string, { model: string; requests: number; errors: number }>();
      for (const row of page.rows) {
        const m = models.get(row.model) ?? { model: row.model, requests: 0, errors: 0 };
        m.requests += row.requests;
        m.errors += row.errors;
        models.set(row.model, m);
      }
      return { today: counts[principal.userId] ?? 0, models: [...models.values()].sort((a, b) => a.model.localeCompare(b.model)) };
    } catch (err) {
      if (err instanceof ApiError) return { today: null, models: null };
      throw err;
    }
  }
}

/** A page the browser may not cache or pass on (the link's URL holds the token). */
function html(reply: FastifyReply): void {
  void reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
}

function refuse(reply: FastifyReply, status: number, message: string): string {
  void reply.status(status);
  return renderRefusedPage(message);
}
