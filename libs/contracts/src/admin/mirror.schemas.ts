import { z } from 'zod';
import { oneLine } from '../common/client-text.js';
import { userNameSchema, wireLimitsSchema, CHATGPT_LIST_MAX } from './user.schemas.js';

/** ChatGPT-Mirror's `/api/login`: create or update the user, enter the token, answer the (user, account) mirror token. */
export const mirrorLoginBodySchema = z.object({
  user_name: userNameSchema,
  access_token: z.string().min(1),
  limits: wireLimitsSchema.optional(),
  isolated_session: z.boolean().optional(),
});
export const mirrorLoginReplySchema = z.object({ 'user-gateway-token': z.string() });

export const mirrorLogoutBodySchema = z.object({ user_name: userNameSchema });
export const mirrorLogoutReplySchema = z.object({ status: z.literal('success'), revoked: z.number().int() });

export const getMirrorTokenBodySchema = z.object({
  user_name: userNameSchema,
  isolated_session: z.boolean().optional(),
  limits: wireLimitsSchema.optional(),
  chatgpt_list: z.array(oneLine(z.string().min(1).max(320))).min(1).max(CHATGPT_LIST_MAX),
});
export const getMirrorTokenReplySchema = z.array(z.object({ chatgpt_username: z.string(), mirror_token: z.string() }));
