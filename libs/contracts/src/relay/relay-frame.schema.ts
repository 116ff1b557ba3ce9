import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { RELAY_DATA_MAX_BYTES } from './relay.subjects.js';

/**
 * Frames without a body of bytes. On the wire every frame is one NATS message whose first byte says
 * what follows: 0 = one of these as JSON, 1 = `data` (the raw bytes, binary-safe, no base64).
 * Order: `head` once, `data`…, then one `end` or `error`. An `error` before `head` means nothing
 * reached the client yet (the gateway answers it as an HTTP error); after `head` the answer is cut.
 */
export const relayControlFrameSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('head'),
    status: z.number().int().min(100).max(599),
    /** Response headers safe to pass on (lower-case names); hop-by-hop and length headers never travel. */
    headers: z.record(z.string(), z.string()),
  }),
  z.object({ t: z.literal('end') }),
  z.object({ t: z.literal('error'), ...busErrorSchema.shape }),
  z.object({ t: z.literal('hb') }),
]);
export type RelayControlFrame = z.infer<typeof relayControlFrameSchema>;
export type RelayFrame = RelayControlFrame | { t: 'data'; bytes: Uint8Array };

const CONTROL = 0;
const DATA = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeRelayFrame(frame: RelayFrame): Uint8Array {
  if (frame.t === 'data') {
    if (frame.bytes.length > RELAY_DATA_MAX_BYTES) throw new RangeError(`a relay data frame holds at most ${RELAY_DATA_MAX_BYTES} bytes`);
    const out = new Uint8Array(frame.bytes.length + 1);
    out[0] = DATA;
    out.set(frame.bytes, 1);
    return out;
  }
  const json = encoder.encode(JSON.stringify(frame));
  const out = new Uint8Array(json.length + 1);
  out[0] = CONTROL;
  out.set(json, 1);
  return out;
}

/** Throws on anything that is not a frame (the gateway takes the worker for lost). */
export function decodeRelayFrame(message: Uint8Array): RelayFrame {
  switch (message[0]) {
    case DATA:
      return { t: 'data', bytes: message.subarray(1) };
    case CONTROL:
      return relayControlFrameSchema.parse(JSON.parse(decoder.decode(message.subarray(1))));
    default:
      throw new Error('not a relay frame');
  }
}

/** `data` frames for a chunk of any size, each within RELAY_DATA_MAX_BYTES. */
export function* dataFrames(chunk: Uint8Array): Generator<RelayFrame> {
  for (let at = 0; at < chunk.length; at += RELAY_DATA_MAX_BYTES) yield { t: 'data', bytes: chunk.subarray(at, at + RELAY_DATA_MAX_BYTES) };
}
