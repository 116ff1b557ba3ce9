import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Endpoint, PlatformRelayPath } from '@chatgate/contracts';
import { bearerFrom } from '../shared/http/bearer.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { platformBodyOf, platformModelOf } from '../shared/platform/platform-body.js';
import { PlatformRelay } from '../shared/platform/platform-relay.js';

/**
 * The OpenAI endpoints only the platform API serves (the ChatGPT backend has no legacy
 * completions, embeddings or image generation API): always relayed to the tenant's API keys, and
 * refused with a 400 when the tenant's routing table sends the model to ChatGPT accounts.
 */
@Controller()
export class PlatformApiController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly platform: PlatformRelay,
  ) {}

  @Post('v1/completions')
  completions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay(req, reply, '/completions', 'completions');
  }

  @Post('v1/embeddings')
  embeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay(req, reply, '/embeddings', 'embeddings');
  }

  @Post('v1/images/generations')
  images(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay(req, reply, '/images/generations', 'images');
  }

  private async relay(req: FastifyRequest, reply: FastifyReply, path: PlatformRelayPath, endpoint: Extract<Endpoint, 'completions' | 'embeddings' | 'images'>): Promise<void> {
    const bearer = bearerFrom(req.headers.authorization);
    const model = platformModelOf(path, platformBodyOf(req.body));
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    const upstream = upstreamFor(principal, model, endpoint);
    // Only API keys serve these endpoints (ENDPOINTS in contracts): routing answers `platform` or refuses.
    if (upstream !== 'platform') throw new Error(`routing sent ${endpoint} to ${upstream}`);
    return this.platform.relay(req, reply, principal, path);
  }
}
