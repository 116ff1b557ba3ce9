/**
 * Usage accounting and limits. Events travel through a JetStream stream so that a stopped usage
 * service loses nothing; limits and queries are request/reply on the raw connection, queue group
 * `usage` (the limit check sits on the chat path: one hop, no NestJS envelope).
 */
export const USAGE_EVENT = 'chatgate.usage.event.v1' as const;
export const USAGE_STREAM = 'USAGE' as const;
export const USAGE_CONSUMER = 'usage-store' as const;
export const USAGE_QUEUE_GROUP = 'usage' as const;
/** Take a slot in the (user, model) window before the request reaches the upstream. */
export const USAGE_LIMIT_TAKE = 'chatgate.usage.limit.take.v1' as const;
/** Give a slot back (idempotent); the usage service also does so itself for an `error` event. */
export const USAGE_LIMIT_RELEASE = 'chatgate.usage.limit.release.v1' as const;
/** Rollup rows for any filters and time range, per hour or per day. */
export const USAGE_QUERY = 'chatgate.usage.query.v1' as const;
/** Usage per hour or day split by user, model, account, upstream kind or request kind (`/admin/v1/usage/series`). */
export const USAGE_SERIES = 'chatgate.usage.series.v1' as const;
/** ChatGPT-Mirror's `/api/get-user-use-count`: requests per user name since a time. */
export const USAGE_USER_COUNTS = 'chatgate.usage.user-counts.v1' as const;
/** Usage events that could not be stored (`GET /admin/v1/usage/dead-letters`). */
export const USAGE_DEAD_LETTERS = 'chatgate.usage.dead-letters.v1' as const;
/** ChatGPT-Mirror's `/api/get-chatgpt-use-count`: per account label and model, requests per hour bucket. */
export const USAGE_ACCOUNT_HOURLY = 'chatgate.usage.account-hourly.v1' as const;

/**
 * Stream, subject and consumer names for one deployment. A non-empty suffix (USAGE_STREAM_SUFFIX)
 * gives a test stack its own stream, subject and consumer, so parallel runs and the dev stack never
 * read each other's events (two streams may not bind the same subject).
 */
export function usageStreamNames(suffix: string): { stream: string; subject: string; consumer: string } {
  if (!suffix) return { stream: USAGE_STREAM, subject: USAGE_EVENT, consumer: USAGE_CONSUMER };
  return { stream: `${USAGE_STREAM}_${suffix}`, subject: `${USAGE_EVENT}.${suffix}`, consumer: `${USAGE_CONSUMER}-${suffix}` };
}

/** JetStream drops a second publish with the same message id (the request id) within this window. */
export const USAGE_DUPLICATE_WINDOW_MS = 5 * 60_000;
/** Events stay in the stream this long after they are stored, so an outage of days loses nothing. */
export const USAGE_STREAM_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * How many times the usage service's consumer is handed one event before JetStream gives up on it
 * (`max_deliver`). A failure the service waits out (Postgres or Redis unreachable) costs no delivery;
 * only a restart or crash while it holds the event does. Past this, JetStream publishes the
 * advisory below and the service dead-letters the event.
 */
export const USAGE_MAX_DELIVER = 50;

/** JetStream's advisory when a consumer has delivered a message `max_deliver` times without an ack. */
export function maxDeliveriesAdvisorySubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}
