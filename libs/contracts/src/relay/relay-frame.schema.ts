import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { binaryFrameCodec, dataFramesOf, type DataFrame } from '../jobs/binary-frames.js';

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
export type RelayFrame = RelayControlFrame | DataFrame;

const codec = binaryFrameCodec(relayControlFrameSchema);

export const encodeRelayFrame: (frame: RelayFrame) => Uint8Array = codec.encode;

/** Throws on anything that is not a frame (the gateway takes the worker for lost). */
export const decodeRelayFrame: (message: Uint8Array) => RelayFrame = codec.decode;

/** `data` frames for a chunk of any size, each within RELAY_DATA_MAX_BYTES. */
export const dataFrames: (chunk: Uint8Array) => Generator<RelayFrame> = dataFramesOf;
