// Server-sent event framing. Frames are built as strings from pre-serialised JSON so a chunk
// costs one small JSON.stringify, not a re-serialisation of the whole message.

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

export function dataFrame(json: string): string {
  return `data: ${json}\n\n`;
}

export function eventFrame(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}

export const DONE_FRAME = 'data: [DONE]\n\n';

/** The inside of a JSON string literal: concatenating these for parts equals escaping the whole. */
export function jsonStringBody(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.slice(1, -1);
}
