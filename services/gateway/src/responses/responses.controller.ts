import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { responsesCreateRequestSchema, unhandled, type Principal } from '@chatgate/contracts';
import type { JsonObject } from '@chatgate/protocol';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { parseRequestBody, workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { platformBodyOf, platformModelOf } from '../shared/platform/platform-body.js';
import { PlatformRelay } from '../shared/platform/platform-relay.js';
import { CodexRelay } from '../shared/codex/codex-relay.js';
import { ResponsesOnChatgpt } from './responses-on-chatgpt.js';
import { ResponsesStoreClient } from './responses-store.client.js';

/**
 * The Responses API (`/v1/responses…`) on every upstream kind, routed by the tenant's table as chat is:
 * API keys get it relayed unchanged (the worker keeps which key holds each response), Codex accounts
 * natively through the codex relay target (which stores each response: the backend keeps nothing),
 * ChatGPT accounts through the chat job (`ResponsesOnChatgpt`). A stored response is found through the
 * conversation service's records, for its owner only; an API key's is then read from that key.
 */
@Controller()
export class ResponsesController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly platform: PlatformRelay,
    private readonly codex: CodexRelay,
    private readonly chatgpt: ResponsesOnChatgpt,
    private readonly store: ResponsesStoreClient,
  ) {}

  @Post('v1/responses')
  @HttpCode(200)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Checked as OpenAI checks it, whoever answers: a 400 names the field before anything is routed.
    const request = parseRequestBody(responsesCreateRequestSchema, req.body);
    const principal = await this.resolve(req);
    const upstream = upstreamFor(principal, request.model, 'responses');
    switch (upstream) {
      case 'platform':
        return this.platform.relay(req, reply, principal, '/responses');
      case 'codex':
        return this.codex.relay(req, reply, principal, '/responses');
      case 'chatgpt':
        return this.chatgpt.create(req, reply, principal, req.body as JsonObject & { model: string });
      default:
        return unhandled(upstream);
    }
  }

  @Post('v1/responses/compact')
  @HttpCode(200)
  async compact(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const model = platformModelOf('/responses/compact', platformBodyOf(req.body));
    const principal = await this.resolve(req);
    const upstream = upstreamFor(principal, model, 'responses_compact');
    if (upstream === 'platform') return this.platform.relay(req, reply, principal, '/responses/compact');
    if (upstream === 'codex') return this.codex.relay(req, reply, principal, '/responses/compact');
    throw new Error(`routing sent compact to ${upstream}`);
  }

  @Post('v1/responses/input_tokens')
  @HttpCode(200)
  async inputTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const model = platformModelOf('/responses/input_tokens', platformBodyOf(req.body));
    const principal = await this.resolve(req);
    // Only API keys count tokens (ENDPOINTS): routing answers `platform` or refuses.
    const upstream = upstreamFor(principal, model, 'responses_input_tokens');
    if (upstream !== 'platform') throw new Error(`routing sent input_tokens to ${upstream}`);
    return this.platform.relay(req, reply, principal, '/responses/input_tokens');
  }

  @Get('v1/responses/:id')
  async retrieve(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    return this.stored(req, reply, id, 'response', 'GET', `/responses/${id}`);
  }

  @Delete('v1/responses/:id')
  async remove(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    return this.stored(req, reply, id, 'delete', 'DELETE', `/responses/${id}`);
  }

  @Post('v1/responses/:id/cancel')
  async cancel(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    return this.stored(req, reply, id, 'cancel', 'POST', `/responses/${id}/cancel`);
  }

  @Get('v1/responses/:id/input_items')
  async inputItems(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    return this.stored(req, reply, id, 'input_items', 'GET', `/responses/${id}/input_items`);
  }

  private async resolve(req: FastifyRequest): Promise<Principal> {
    return this.credentials.resolve(bearerFrom(req.headers.authorization), workspaceOf(req), req.ip);
  }

  /** One call on a stored response: answered from chatgate's store, or relayed to the API key that holds it. */
  private async stored(req: FastifyRequest, reply: FastifyReply, id: string, view: 'response' | 'input_items' | 'delete' | 'cancel', method: 'GET' | 'POST' | 'DELETE', path: string): Promise<void> {
    const principal = await this.resolve(req);
    const query = queryOf(req.url);
    const found = await this.store.read(principal, id, view, Object.fromEntries(new URLSearchParams(query)));
    if (!('body' in found)) return this.platform.relayStored(reply, principal, method, path, query);
    void reply.status(200).header('content-type', 'application/json').send(found.body);
  }
}

function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}
