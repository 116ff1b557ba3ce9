import type { z } from 'zod';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bus payloads are JSON; the receiving side always parses against the contract's schema. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<S extends z.ZodType>(schema: S, data: Uint8Array): z.infer<S> {
  return schema.parse(JSON.parse(decoder.decode(data)));
}

/** One request/reply on a raw connection, both ways through the contract's schemas. Throws on timeout or no responders. */
export async function requestJson<S extends z.ZodType>(
  nc: { request(subject: string, payload: Uint8Array, opts: { timeout: number }): Promise<{ data: Uint8Array }> },
  subject: string,
  body: unknown,
  replySchema: S,
  timeoutMs: number,
): Promise<z.infer<S>> {
  const msg = await nc.request(subject, encodeJson(body), { timeout: timeoutMs });
  return decodeJson(replySchema, msg.data);
}
