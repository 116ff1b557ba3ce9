import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConversationAction } from '@chatgate/contracts';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { workspaceOf } from '../shared/http/request-input.js';
import { ConversationManageClient } from './conversation-manage.client.js';
import { feedbackAction, genTitleAction, getAction, hideAllAction, listAction, updateAction } from './conversation-requests.js';

/** Both spellings clients use: ChatGPT-Mirror's `/chatgpt/…` and the upstream's own `/backend-api/…`. */
const both = (path: string) => [`chatgpt/${path}`, `backend-api/${path}`];

/**
 * Conversation management for gateway callers: list, read, rename, hide, title and rate. Which
 * conversations a caller may touch is decided by the conversation service from the records
 * (an isolated user: only their own; another user's id answers 404).
 */
@Controller()
export class ConversationsController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly conversations: ConversationManageClient,
  ) {}

  @Get(both('conversations'))
  list(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Query() query: unknown) {
    return this.run(req, res, () => listAction(query));
  }

  @Patch(both('conversations'))
  hideAll(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Body() body: unknown) {
    return this.run(req, res, () => hideAllAction(body));
  }

  @Post(both('conversation/message_feedback'))
  feedback(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Body() body: unknown) {
    return this.run(req, res, () => feedbackAction(body));
  }

  @Post(both('conversation/gen_title/:id'))
  genTitle(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Param('id') id: string, @Body() body: unknown) {
    return this.run(req, res, () => genTitleAction(id, body));
  }

  @Get(both('conversation/:id'))
  get(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Param('id') id: string) {
    return this.run(req, res, () => getAction(id));
  }

  @Patch(both('conversation/:id'))
  update(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Param('id') id: string, @Body() body: unknown) {
    return this.run(req, res, () => updateAction(id, body));
  }

  /** Authenticates first (a missing key is a 401 whatever the body), then validates, then asks the service. */
  private async run(req: FastifyRequest, res: FastifyReply, action: () => ConversationAction): Promise<unknown> {
    const bearer = bearerFrom(req.headers.authorization);
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    const result = await this.conversations.manage(principal, action());
    res.status(result.status);
    return result.body;
  }
}
