import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { unknownUrl } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { apiPrefixOf } from '../shared/http/api-prefix.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import type { ConsoleFile } from './console-assets.js';

export const CONSOLE_FILES = Symbol('CONSOLE_FILES');

/**
 * What the console's pages may load: its own scripts and styles, calls to this gateway, nothing
 * else (no CDN, no inline script); no framing. Images only from itself or `data:` (the favicon).
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The admin console (`apps/console`, built by Vite) as static files at `/console/` (under
 * `API_PREFIX` like every route). The page itself is public; everything it shows comes from
 * `/admin/v1`, which asks for the admin credential on every call.
 */
@Controller('console')
export class ConsoleController {
  private readonly root: string;

  constructor(
    @Inject(CONSOLE_FILES) private readonly files: Map<string, ConsoleFile>,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    const prefix = apiPrefixOf(config);
    this.root = `${prefix ? `/${prefix}` : ''}/console/`;
  }

  /** `/console` → `/console/`, so the page's relative asset URLs resolve under it. */
  @Get()
  redirect(@Res() reply: FastifyReply): void {
    void reply.status(308).header('location', this.root).send();
  }

  /**
   * `/console/` (the page) and `/console/assets/…`. One wildcard route: Nest strips a trailing slash
   * from route paths, so `/console/` is only reachable as the empty rest of `/console/*`.
   */
  @Get('*')
  file(@Param('*') rest: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    return this.send(reply, rest ? rest : 'index.html');
  }

  private send(reply: FastifyReply, name: string): Buffer {
    const file = this.files.get(name);
    if (!file) {
      throw ApiError.fromBus(unknownUrl(this.files.size === 0 ? 'The admin console is not built on this gateway: run `npm run build`.' : 'No such file of the admin console.'));
    }
    void reply
      .header('content-type', file.contentType)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
    return file.body;
  }
}
