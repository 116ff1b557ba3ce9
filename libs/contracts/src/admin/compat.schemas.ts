import { z } from 'zod';
import { accountEntryKindSchema } from './account-import.schema.js';
import { codexUsageViewSchema, upstreamAccountStatusSchema } from './account-view.schema.js';

/** chat2api's `/tokens` family and ChatGPT-Mirror's `/api/get-user-info`, with the shapes their users know. */

export const tokensCountSchema = z.object({
  count: z.number().int(),
  /** chatgate's addition: the Codex logins of the pool with their usage windows (absent without any). */
  codex_accounts: z.array(z.object({ label: z.string(), status: upstreamAccountStatusSchema, usage: codexUsageViewSchema })).optional(),
});
/** `kind` (chatgate's addition): what the bare tokens of `text` are (see accountEntryKindSchema). */
export const tokensUploadBodySchema = z.object({ text: z.string(), kind: accountEntryKindSchema.optional() });
export const tokensUploadReplySchema = z.object({ status: z.literal('success'), tokens_count: z.number().int() });
export const tokensClearReplySchema = z.object({ status: z.literal('success'), tokens_count: z.literal(0) });
/** Accounts that need a token, each shown as its email or a masked token hint. */
export const tokensErrorReplySchema = z.object({ status: z.literal('success'), error_tokens: z.array(z.string()) });

export const getUserInfoBodySchema = z.object({ chatgpt_token: z.string().min(1) });
/** Returns the tokens the admin just entered (and the access token they became); never logged. */
export const getUserInfoReplySchema = z.object({
  user_info: z.object({ email: z.string().nullable(), plan_type: z.string().nullable() }),
  access_token: z.string(),
  session_token: z.string().optional(),
  refresh_token: z.string().optional(),
});
export type GetUserInfoReply = z.infer<typeof getUserInfoReplySchema>;
