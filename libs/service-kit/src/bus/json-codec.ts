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
