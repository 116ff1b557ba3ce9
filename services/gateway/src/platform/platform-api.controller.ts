import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeModel, type PlatformRelayPath } from '@chatgate/contracts';
import { bearerFrom } from '../auth/bearer.js';
import { CredentialResolver } from '../auth/credential-resolver.service.js';
import { platformBodyOf, platformModelOf } from './platform-body.js';
import { modelNotOnPlatform } from './platform-errors.js';
import { PlatformRelay } from './platform-relay.js';

function headerValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

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
    return this.relay(req, reply, '/completions');
  }

  @Post('v1/embeddings')
  embeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay(req, reply, '/embeddings');
  }

  @Post('v1/images/generations')
  images(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay(req, reply, '/images/generations');
  }

  private async relay(req: FastifyRequest, reply: FastifyReply, path: PlatformRelayPath): Promise<void> {
    const bearer = bearerFrom(req.headers.authorization);
    const model = platformModelOf(path, platformBodyOf(req.body));
    const principal = await this.credentials.resolve(bearer, headerValue(req.headers['chatgpt-account-id']));
    if (routeModel(principal.modelRoutes, model) !== 'platform') throw modelNotOnPlatform(model, `/v1${path}`);
    return this.platform.relay(req, reply, principal, path);
  }
}
