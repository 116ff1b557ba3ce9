import { usageOf, usageOfBody, type PlatformUsage } from './platform-usage.js';

/**
 * JSON answers up to this size are held whole before anything goes to the client (their usage read
 * from the parsed answer, and a body cut midway answered as a clean 502); larger ones (embeddings of
 * many inputs, images as base64) pass through as they come, paced by the client like a stream.
 */
export const JSON_HOLD_LIMIT = 1024 * 1024;
/** How much of a large answer's start and end is kept for its usage and id. */
const WINDOW_BYTES = 64 * 1024;
/** A key an image answer's entries hold; unescaped quotes cannot occur inside a JSON string, so this matches keys only. */
const IMAGE_KEY = /"(?:b64_json|url)"\s*:/g;
const CARRY_CHARS = 32;

/**
 * A platform JSON answer as it passes, for its usage event. Held whole while it is small (then the
 * usage is read from the parsed answer, exactly as before any size was considered, and nothing else
 * is done per chunk); past JSON_HOLD_LIMIT the bytes are handed on and not kept: the usage is read
 * from the last bytes (where the platform puts `usage`), a Responses answer's id from the first, and
 * an image answer's images are counted as their keys pass. Memory stays within the limit and two
 * windows, whatever the size.
 */
export class JsonAnswer {
  /** The answer so far, while it is small enough to hold; null once it passes through. */
  private held: Uint8Array[] | null = [];
  /** What was held when the answer grew too large, for the caller to send before the rest. */
  private unsent: Uint8Array[] = [];
  private size = 0;
  private start = '';
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  private images = 0;
  private carry = '';

  constructor(private readonly holdLimit = JSON_HOLD_LIMIT) {}

  /** Whether the answer has grown too large to hold: its chunks are the caller's to pass on. */
  get passing(): boolean {
    return this.held === null;
  }

  /** Takes the next chunk. True: held. False: the answer passes through (`release` first, then this chunk). */
  push(chunk: Uint8Array): boolean {
    this.size += chunk.length;
    if (this.held) {
      if (this.size <= this.holdLimit) {
        this.held.push(chunk);
        return true;
      }
      // Too large to hold: what was held goes first, and is read for the windows now (it was not while held).
      for (const earlier of this.held) this.observe(earlier);
      this.unsent = this.held;
      this.held = null;
    }
    this.observe(chunk);
    return false;
  }

  /** The chunks held before the answer grew too large, handed over once (the caller sends them before the rest). */
  release(): Uint8Array[] {
    const unsent = this.unsent;
    this.unsent = [];
    return unsent;
  }

  /** The whole answer, when it was small enough to hold (call at its end). */
  whole(): Buffer {
    if (!this.held) throw new Error('the answer was too large to hold');
    if (this.held.length !== 1) this.held = [Buffer.concat(this.held)];
    const only = this.held[0];
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }

  /** The usage of the whole answer (call at its end): exact when it was held whole, else from its windows. */
  usage(): PlatformUsage | null {
    if (this.held) return usageOfBody(this.whole());
    const tail = Buffer.concat(this.tail).toString('latin1');
    const usage = usageOf(lastUsageObject(tail));
    const responseId = /"object"\s*:\s*"response"/.test(this.start) ? /"id"\s*:\s*"(resp_[^"\\]+)"/.exec(this.start)?.[1] : undefined;
    if (responseId) return { ...(usage ?? { promptTokens: 0, completionTokens: 0 }), responseId };
    if (this.images) return { ...(usage ?? { promptTokens: 0, completionTokens: 0 }), images: this.images };
    return usage;
  }

  /** Keeps the windows and counts image keys, for an answer too large to hold. */
  private observe(chunk: Uint8Array): void {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    if (this.start.length < WINDOW_BYTES) this.start += text.slice(0, WINDOW_BYTES - this.start.length);
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= WINDOW_BYTES) this.tailBytes -= this.tail.shift()!.length;
    // A key split across two chunks is found in the carry and the next chunk; one wholly in the carry was counted already.
    const scanned = this.carry + text;
    for (const match of scanned.matchAll(IMAGE_KEY)) if (match.index + match[0].length > this.carry.length) this.images++;
    this.carry = scanned.slice(-CARRY_CHARS);
  }
}

/** The last `"usage": {…}` object in `text`, parsed; undefined when there is none or it does not parse. */
function lastUsageObject(text: string): unknown {
  const key = text.lastIndexOf('"usage"');
  if (key < 0) return undefined;
  const open = text.indexOf('{', key);
  if (open < 0 || !/^"usage"\s*:\s*$/.test(text.slice(key, open))) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) {
      try {
        return JSON.parse(text.slice(open, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
