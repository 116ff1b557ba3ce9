import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ADMIN_ACCOUNTS_CLEAR,
  ADMIN_ACCOUNTS_IMPORT,
  ADMIN_POOL_SUMMARY,
  adminClearReplySchema,
  adminImportReplySchema,
  adminPoolSummaryReplySchema,
  tokensUploadBodySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { ADMIN_IMPORT_TIMEOUT_MS, AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { prefersHtml } from './accept.js';
import { importLinesOf, parseInput } from './request-input.js';
import { tokensPage } from './tokens-page.js';

/**
 * chat2api's token pool routes, with its shapes, over the tenant's upstream accounts. chat2api left
 * them open; here they need the admin password like every admin route.
 */
@Controller('tokens')
@UseGuards(AdminGuard)
export class TokensController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  async count(@Actor() actor: AdminActor, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { usableCount, codex } = await this.bus.call(ADMIN_POOL_SUMMARY, { actor }, adminPoolSummaryReplySchema);
    if (prefersHtml(req.headers.accept)) {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return tokensPage(usableCount, codex ?? []);
    }
    return { count: usableCount, ...(codex?.length ? { codex_accounts: codex } : {}) };
  }

  /**
   * Form (`application/x-www-form-urlencoded`) or JSON field `text`; answers the usable count after
   * the upload. A pasted `codex login` auth file is one entry among the lines; `kind=codex` makes
   * the bare tokens Codex logins'.
   */
  @Post('upload')
  @HttpCode(200)
  async upload(@Actor() actor: AdminActor, @Body() body: unknown) {
    const { text, kind } = parseInput(tokensUploadBodySchema, body);
    const lines = importLinesOf({ text });
    const result = await this.bus.call(ADMIN_ACCOUNTS_IMPORT, { actor, lines, ...(kind ? { kind } : {}) }, adminImportReplySchema, ADMIN_IMPORT_TIMEOUT_MS);
    return { status: 'success' as const, tokens_count: result.usableCount };
  }

  @Post('clear')
  @HttpCode(200)
  async clear(@Actor() actor: AdminActor) {
    await this.bus.call(ADMIN_ACCOUNTS_CLEAR, { actor }, adminClearReplySchema);
    return { status: 'success' as const, tokens_count: 0 as const };
  }

  /** Accounts whose tokens failed for good (they need a new one), by email or masked token. */
  @Post('error')
  @HttpCode(200)
  async errors(@Actor() actor: AdminActor) {
    const { needsToken } = await this.bus.call(ADMIN_POOL_SUMMARY, { actor }, adminPoolSummaryReplySchema);
    return { status: 'success' as const, error_tokens: needsToken };
  }
}
