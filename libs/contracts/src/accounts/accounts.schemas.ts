import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';

export const accountLeaseRequestSchema = z.object({
  tenantId: z.string(),
  /** The upstream model slug: cool-downs and plan limits are per model. */
  model: z.string(),
  /** Accounts this request already tried; never handed out again for it. */
  exclude: z.array(z.string()),
  /** When present, only these accounts may be handed out (the credential's allowed accounts). */
  allowed: z.array(z.string()).optional(),
  requestId: z.string(),
  /**
   * `download`: fetching a file the account already made (a generated-file link). Cool-downs and
   * plan limits are about sending messages, so they do not keep such a lease from being given.
   */
  purpose: z.enum(['conversation', 'download']).optional(),
});
export type AccountLeaseRequest = z.infer<typeof accountLeaseRequestSchema>;

export const accountLeaseSchema = z.object({
  accountId: z.string(),
  accessToken: z.string(),
  /** The workspace to send as `ChatGPT-Account-Id`, if the account is a Team workspace. */
  chatgptAccountId: z.string().nullable(),
  deviceId: z.string(),
  label: z.string(),
});
export type AccountLease = z.infer<typeof accountLeaseSchema>;

export const accountLeaseReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lease: accountLeaseSchema }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountLeaseReply = z.infer<typeof accountLeaseReplySchema>;

export const accountOutcomeSchema = z.enum(['unauthorized', 'forbidden', 'model_not_found', 'rate_limited', 'upstream_error']);
export type AccountOutcome = z.infer<typeof accountOutcomeSchema>;

export const accountReportSchema = z.object({
  accountId: z.string(),
  model: z.string(),
  outcome: accountOutcomeSchema,
  /** For rate_limited: the upstream's `clears_in`. */
  clearsInSec: z.number().nonnegative().optional(),
  /** What the upstream said, for the account's last error (never a token). */
  message: z.string().max(500),
});
export type AccountReport = z.infer<typeof accountReportSchema>;

/** For `unauthorized`: a fresh lease of the same account after one refresh, or why there is none. */
export const accountReportReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lease: accountLeaseSchema.nullable() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountReportReply = z.infer<typeof accountReportReplySchema>;

export const accountsChangedEventSchema = z.object({ tenantId: z.string(), accountIds: z.array(z.string()) });
export type AccountsChangedEvent = z.infer<typeof accountsChangedEventSchema>;
