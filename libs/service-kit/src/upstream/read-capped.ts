/** How far an upstream's error body is read: enough for a JSON detail, or to spot a challenge page. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** A response body as undici and node:http give it: chunks of bytes, and a way to stop reading. */
export interface ReadableBody {
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  destroy(): unknown;
}

/**
 * An upstream body as text, read no further than `limit` bytes (the rest is never read: the body is
 * destroyed), so an error page or an answer of the wrong kind cannot fill the worker's memory.
 */
export async function readCapped(body: ReadableBody, limit = ERROR_BODY_LIMIT): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
