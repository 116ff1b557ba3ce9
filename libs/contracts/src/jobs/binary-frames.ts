import type { z } from 'zod';

/** Raw bytes of an answer (binary-safe, no base64). */
export interface DataFrame {
  t: 'data';
  bytes: Uint8Array;
}

/** A `data` frame carries at most this many bytes: far below NATS's payload limit (1 MiB by default). */
export const DATA_FRAME_MAX_BYTES = 64 * 1024;

const CONTROL = 0;
const DATA = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The frame encoding of jobs whose answer is bytes (the relay, file downloads): every frame is one
 * NATS message whose first byte says what follows, 0 = a control frame of the protocol as JSON,
 * 1 = `data` with the raw bytes.
 */
export function binaryFrameCodec<C extends { t: string }>(control: z.ZodType<C>) {
  return {
    encode(frame: C | DataFrame): Uint8Array {
      if (frame.t === 'data') {
        const { bytes } = frame as DataFrame;
        if (bytes.length > DATA_FRAME_MAX_BYTES) throw new RangeError(`a data frame holds at most ${DATA_FRAME_MAX_BYTES} bytes`);
        const out = new Uint8Array(bytes.length + 1);
        out[0] = DATA;
        out.set(bytes, 1);
        return out;
      }
      const json = encoder.encode(JSON.stringify(frame));
      const out = new Uint8Array(json.length + 1);
      out[0] = CONTROL;
      out.set(json, 1);
      return out;
    },
    /** Throws on anything that is not a frame (the gateway takes the worker for lost). */
    decode(message: Uint8Array): C | DataFrame {
      switch (message[0]) {
        case DATA:
          return { t: 'data', bytes: message.subarray(1) };
        case CONTROL:
          return control.parse(JSON.parse(decoder.decode(message.subarray(1))));
        default:
          throw new Error('not a frame');
      }
    },
  };
}

/** `data` frames for a chunk of any size, each within DATA_FRAME_MAX_BYTES. */
export function* dataFramesOf(chunk: Uint8Array): Generator<DataFrame> {
  for (let at = 0; at < chunk.length; at += DATA_FRAME_MAX_BYTES) yield { t: 'data', bytes: chunk.subarray(at, at + DATA_FRAME_MAX_BYTES) };
}
