import { ConversationStreamDecoder } from '../src/conversation-stream-decoder.js';
import { SseParser } from '../src/sse-parser.js';
import type { SseEvent, UpstreamEvent } from '../src/types.js';

/** One SSE frame: `data` objects are serialised, strings go out as written. */
export interface Frame {
  event?: string;
  data: unknown;
}

/** Writes frames as an SSE body the way the upstream does (blank line after each). */
export function sse(frames: Frame[], eol = '\n'): string {
  let out = '';
  for (const f of frames) {
    if (f.event !== undefined) out += `event: ${f.event}${eol}`;
    out += `data: ${typeof f.data === 'string' ? f.data : JSON.stringify(f.data)}${eol}${eol}`;
  }
  return out;
}

export const delta = (data: unknown): Frame => ({ event: 'delta', data });
export const plain = (data: unknown): Frame => ({ data });
export const V1_HEADER: Frame = { event: 'delta_encoding', data: '"v1"' };
export const DONE: Frame = { data: '[DONE]' };

const encoder = new TextEncoder();
export const bytes = (s: string): Uint8Array => encoder.encode(s);

/** Feeds `body` in the given byte chunks (default: all at once) and ends the stream. */
export function decode(body: string | Uint8Array, chunkSizes?: (i: number) => number, decoder = new ConversationStreamDecoder()): UpstreamEvent[] {
  const all = typeof body === 'string' ? bytes(body) : body;
  const events: UpstreamEvent[] = [];
  if (chunkSizes === undefined) events.push(...decoder.push(all));
  else {
    for (let pos = 0, i = 0; pos < all.length; i++) {
      const n = Math.max(1, chunkSizes(i));
      events.push(...decoder.push(all.subarray(pos, pos + n)));
      pos += n;
    }
  }
  events.push(...decoder.end());
  return events;
}

export function parseSse(chunks: Array<string | Uint8Array>): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...parser.push(c));
  out.push(...parser.end());
  return out;
}

/** Joins adjacent text deltas of the same message, so differently chunked runs compare equal. */
export function mergeText(events: UpstreamEvent[]): UpstreamEvent[] {
  const out: UpstreamEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'text' && last !== undefined && last.type === 'text' && last.channel === e.channel && last.messageId === e.messageId) {
      out[out.length - 1] = { ...last, delta: last.delta + e.delta };
    } else out.push(e);
  }
  return out;
}

/** All text of one channel, concatenated. */
export function textOf(events: UpstreamEvent[], channel: 'answer' | 'reasoning'): string {
  let s = '';
  for (const e of events) if (e.type === 'text' && e.channel === channel) s += e.delta;
  return s;
}

export function typesOf(events: UpstreamEvent[]): string[] {
  return events.map((e) => (e.type === 'text' ? `text:${e.channel}` : e.type));
}

/** Small deterministic PRNG (mulberry32) for reproducible random chunking. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
