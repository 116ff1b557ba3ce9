/** The content type and caching of an OpenAI-style answer, wherever one is made (gateway or worker). */
export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;
export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * A token stream the gateway writes to its client itself: kept open, and never buffered by a reverse
 * proxy (nginx's `x-accel-buffering`). Relayed streams get the same from the relay responder.
 */
export const CLIENT_SSE_HEADERS = { ...SSE_HEADERS, connection: 'keep-alive', 'x-accel-buffering': 'no' } as const;
