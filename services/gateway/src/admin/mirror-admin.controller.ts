import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ADMIN_ACCOUNTS_ENTER, adminEnterReplySchema, getUserInfoBodySchema, type AdminActor, type GetUserInfoReply } from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { ADMIN_UPSTREAM_CALL_TIMEOUT_MS, AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/**
 * ChatGPT-Mirror's admin routes. Only `/api/get-user-info` so far: the others act on gateway users
 * and mirror tokens, which come with the tenants and users issue.
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
}
