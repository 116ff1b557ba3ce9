import { z } from 'zod';

const isoTime = z.string().meta({ format: 'date-time' });

/** How much of a dead letter's payload one row shows (a page must fit in one bus message). */
export const DEAD_LETTER_EXCERPT_CHARS = 2048;
export const DEAD_LETTER_PAGE_MAX = 50;

/** `GET /admin/v1/usage/dead-letters`: newest first (by when last seen), pages from 1. */
export const deadLetterQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(DEAD_LETTER_PAGE_MAX).default(20),
});
export type DeadLetterQuery = z.infer<typeof deadLetterQuerySchema>;

/** The bus request: the admin's query with the tenant the admin may see (null: every tenant, and payloads that name none). */
export const deadLetterQueryRequestSchema = deadLetterQuerySchema.extend({ scopeTenantId: z.string().nullable() });
export type DeadLetterQueryRequest = z.infer<typeof deadLetterQueryRequestSchema>;

/** A usage event the usage service could not store, as it came off the stream. */
export const deadLetterViewSchema = z.object({
  /** sha256 of the payload: the same bytes delivered again count up on one row. */
  id: z.string(),
  tenantId: z.string().nullable(),
  requestId: z.string().nullable(),
  /** The payload as UTF-8 text (bytes that are not UTF-8 shown as U+FFFD), cut at DEAD_LETTER_EXCERPT_CHARS characters. */
  event: z.string(),
  eventBytes: z.number().int(),
  truncated: z.boolean(),
  /** Why it was not stored: the schema's complaint, or Postgres's error (SQLSTATE and message), the last time. */
  error: z.string(),
  /** Its sequence in the usage stream, the last time it was delivered. */
  streamSeq: z.number().int().nullable(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  count: z.number().int(),
});
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

export const deadLetterPageSchema = z.object({ rows: z.array(deadLetterViewSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int(), hasMore: z.boolean() });
export type DeadLetterPage = z.infer<typeof deadLetterPageSchema>;

/** What JetStream's max-deliveries advisory says (the fields read; the server sends more). */
export const maxDeliveriesAdvisorySchema = z.looseObject({
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int(),
});
