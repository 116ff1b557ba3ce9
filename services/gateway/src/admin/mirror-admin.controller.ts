import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ADMIN_ACCOUNTS_ENTER,
  ADMIN_MIRROR_LOGIN,
  ADMIN_MIRROR_LOGOUT,
  ADMIN_MIRROR_TOKENS,
  adminEnterReplySchema,
  adminMirrorLoginReplySchema,
  adminMirrorLogoutReplySchema,
  adminMirrorTokensReplySchema,
  getMirrorTokenBodySchema,
  getUserInfoBodySchema,
  mirrorLoginBodySchema,
  mirrorLogoutBodySchema,
  type AdminActor,
  type GetUserInfoReply,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { ADMIN_UPSTREAM_CALL_TIMEOUT_MS, AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/**
 * ChatGPT-Mirror's admin routes, with its field names and answers. The usage routes
 * (`get-user-use-count`, `get-chatgpt-use-count`) live with usage accounting; `not-login`, which
 * needs no admin, with the user page (src/me).
 */
@Controller('api')
@UseGuards(AdminGuard)
export class MirrorAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  /**
   * Stores or updates the account behind an access, session or refresh token and answers with its
   * tokens, as ChatGPT-Mirror does: the admin entered them. Neither side logs them.
   */
  @Post('get-user-info')
  @HttpCode(200)
  async getUserInfo(@Actor() actor: AdminActor, @Body() body: unknown): Promise<GetUserInfoReply> {
    const { chatgpt_token } = parseInput(getUserInfoBodySchema, body);
    const entered = await this.bus.call(ADMIN_ACCOUNTS_ENTER, { actor, token: chatgpt_token }, adminEnterReplySchema, ADMIN_UPSTREAM_CALL_TIMEOUT_MS);
    return {
      user_info: { email: entered.email, plan_type: entered.plan },
      access_token: entered.accessToken,
      ...(entered.sessionToken ? { session_token: entered.sessionToken } : {}),
      ...(entered.refreshToken ? { refresh_token: entered.refreshToken } : {}),
    };
  }

  /** Creates or updates the user, enters the access token as an account, answers the (user, account) mirror token. */
  @Post('login')
  @HttpCode(200)
  async login(@Actor() actor: AdminActor, @Body() body: unknown): Promise<{ 'user-gateway-token': string }> {
    const reply = await this.bus.call(ADMIN_MIRROR_LOGIN, { actor, body: parseInput(mirrorLoginBodySchema, body) }, adminMirrorLoginReplySchema, ADMIN_UPSTREAM_CALL_TIMEOUT_MS);
    return { 'user-gateway-token': reply.token };
  }

  /** Ends every mirror token of the user, on every gateway replica. */
  @Post('logout')
  @HttpCode(200)
  async logout(@Actor() actor: AdminActor, @Body() body: unknown): Promise<{ status: 'success'; revoked: number }> {
    const { revoked } = await this.bus.call(ADMIN_MIRROR_LOGOUT, { actor, body: parseInput(mirrorLogoutBodySchema, body) }, adminMirrorLogoutReplySchema);
    return { status: 'success', revoked };
  }

  /** One fixed token per listed account email, created for the user (created or updated) when new. */
  @Post('get-mirror-token')
  @HttpCode(200)
  async getMirrorToken(@Actor() actor: AdminActor, @Body() body: unknown): Promise<Array<{ chatgpt_username: string; mirror_token: string }>> {
    const tokens = await this.bus.call(ADMIN_MIRROR_TOKENS, { actor, body: parseInput(getMirrorTokenBodySchema, body) }, adminMirrorTokensReplySchema);
    return tokens.map((t) => ({ chatgpt_username: t.email, mirror_token: t.token }));
  }
}
