/**
 * Flow control of a job's frames, so a client that reads slowly slows the upstream down instead of
 * filling the worker's and the gateway's memory:
 *
 * - The gateway asks for it on the job message: header FLOW_HEADER = `window=<bytes>;stall=<ms>`.
 *   A job without the header (an older gateway, a job with no client connection) is not paced.
 * - The worker then publishes each frame with a reply subject of its own for the job (the credit
 *   subject) and counts the bytes of the frames it sent.
 * - The gateway counts the bytes of the frames it received and, once its client's socket took them
 *   (no write waiting for 'drain'), publishes the running total to the credit subject: a cumulative
 *   acknowledgement, sent every quarter window, never per frame (no extra bus message per chunk).
 * - The worker stops reading its upstream while it is more than a window ahead of the last total,
 *   and gives up on a job whose gateway acknowledged nothing for the stall time (plus a margin): its
 *   client stopped reading (the gateway cuts it first) or its gateway is gone.
 */
export const FLOW_HEADER = 'Chatgate-Flow' as const;

export interface FlowWindow {
  /** How many bytes of frames the worker may be ahead of what the client has read. */
  readonly windowBytes: number;
  /** How long a client may read nothing before the gateway cuts it (and the worker aborts). */
  readonly stallMs: number;
}

/** STREAM_WINDOW_BYTES and CLIENT_STALL_TIMEOUT_MS's defaults (libs/config). */
export const DEFAULT_FLOW_WINDOW: FlowWindow = { windowBytes: 256 * 1024, stallMs: 30_000 };

/** The gateway acknowledges at least this often, in bytes: a quarter window. */
export const ackEvery = (flow: FlowWindow): number => Math.max(1, Math.floor(flow.windowBytes / 4));

export function encodeFlowHeader(flow: FlowWindow): string {
  return `window=${flow.windowBytes};stall=${flow.stallMs}`;
}

/** The flow a job asked for, or null (header absent or unreadable: the job is not paced). */
export function parseFlowHeader(value: string | undefined | null): FlowWindow | null {
  if (!value) return null;
  const match = /^window=(\d+);stall=(\d+)$/.exec(value.trim());
  if (!match) return null;
  const windowBytes = Number(match[1]);
  const stallMs = Number(match[2]);
  return windowBytes > 0 && stallMs > 0 ? { windowBytes, stallMs } : null;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** An acknowledgement: the bytes of frames received and taken by the client so far, as decimal text. */
export const encodeAck = (bytes: number): Uint8Array => textEncoder.encode(String(bytes));

/** The total an acknowledgement carries, or null for anything else. */
export function decodeAck(data: Uint8Array): number | null {
  const text = textDecoder.decode(data);
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}
