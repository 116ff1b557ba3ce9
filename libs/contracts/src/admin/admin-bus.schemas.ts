import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { adminActorSchema } from './admin-actor.schema.js';
import { accountDeletedSchema, accountListSchema, accountViewSchema, codexUsageViewSchema, upstreamAccountStatusSchema } from './account-view.schema.js';
import { accountEntryKindSchema, importAccountsResultSchema } from './account-import.schema.js';
import { apiKeyAccountInputSchema, IMPORT_MAX_API_KEYS } from './api-key-account.schema.js';
import { accountKindSchema } from '../routing/upstream-kind.js';
import { refreshPassesSchema, startRefreshPassResultSchema } from './refresh-pass.schema.js';

/** Every admin reply: the result, or a failure already in OpenAI's terms with its HTTP status. */
export function adminReplySchema<T extends z.ZodType>(result: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), result }), z.object({ ok: z.literal(false), failure: busErrorSchema })]);
}
export type AdminReply<T> = { ok: true; result: T } | { ok: false; failure: z.infer<typeof busErrorSchema> };

const actorOnly = z.object({ actor: adminActorSchema });

export const adminAccountListRequestSchema = actorOnly.extend({
  status: upstreamAccountStatusSchema.optional(),
  kind: accountKindSchema.optional(),
  page: z.number().int().min(1),
  limit: z.number().int().min(1),
});
export type AdminAccountListRequest = z.infer<typeof adminAccountListRequestSchema>;
export const adminAccountListReplySchema = adminReplySchema(accountListSchema);

/** get, disable, enable, delete, refresh: one account of the actor's tenant. */
export const adminAccountRequestSchema = actorOnly.extend({ accountId: z.string() });
export type AdminAccountRequest = z.infer<typeof adminAccountRequestSchema>;
export const adminAccountReplySchema = adminReplySchema(accountViewSchema);
export const adminAccountDeletedReplySchema = adminReplySchema(accountDeletedSchema);

/** Lines as given (the gateway only splits text at line breaks); auth parses them. `kind`: what bare tokens are. */
export const adminImportRequestSchema = actorOnly.extend({
  lines: z.array(z.string()),
  kind: accountEntryKindSchema.optional(),
  apiKeys: z.array(apiKeyAccountInputSchema).max(IMPORT_MAX_API_KEYS).optional(),
});
export type AdminImportRequest = z.infer<typeof adminImportRequestSchema>;
export const adminImportReplySchema = adminReplySchema(importAccountsResultSchema);

export const adminEnterRequestSchema = actorOnly.extend({ token: z.string().min(1) });
export type AdminEnterRequest = z.infer<typeof adminEnterRequestSchema>;
/** The tokens on file after entering: the refresh or session token only when that kind was entered. */
export const adminEnteredSchema = z.object({
  accountId: z.string(),
  created: z.boolean(),
  email: z.string().nullable(),
  plan: z.string().nullable(),
  accessToken: z.string(),
  refreshToken: z.string().nullable(),
  sessionToken: z.string().nullable(),
});
export type AdminEntered = z.infer<typeof adminEnteredSchema>;
export const adminEnterReplySchema = adminReplySchema(adminEnteredSchema);

export const adminTenantRequestSchema = actorOnly;
export type AdminTenantRequest = z.infer<typeof adminTenantRequestSchema>;
export const adminClearedSchema = z.object({ deleted: z.number().int() });
export const adminClearReplySchema = adminReplySchema(adminClearedSchema);

export const adminPoolSummarySchema = z.object({
  /** Accounts the pool may lease (active or cooling). */
  usableCount: z.number().int(),
  /** Accounts needing a token, each as its email or a masked token hint. */
  needsToken: z.array(z.string()),
  /** Codex logins with their usage windows, as the upstream last reported them. */
  codex: z.array(z.object({ label: z.string(), status: upstreamAccountStatusSchema, usage: codexUsageViewSchema })).optional(),
});
export type AdminPoolSummary = z.infer<typeof adminPoolSummarySchema>;
export const adminPoolSummaryReplySchema = adminReplySchema(adminPoolSummarySchema);

export const adminRefreshPassesReplySchema = adminReplySchema(refreshPassesSchema);
export const adminRefreshStartRequestSchema = actorOnly.extend({ forced: z.boolean() });
export type AdminRefreshStartRequest = z.infer<typeof adminRefreshStartRequestSchema>;
export const adminRefreshStartReplySchema = adminReplySchema(startRefreshPassResultSchema);
