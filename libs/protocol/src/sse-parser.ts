import type { SseEvent } from './types.js';

const LF = 10;
const CR = 13;
const BOM = 0xfeff;

/**
 * Incremental server-sent-events parser (WHATWG rules, minus `id`/`retry`, which the
 * upstream never relies on). Input may be chunked anywhere: inside a line, between CR
 * and LF, or inside a multi-byte UTF-8 sequence (TextDecoder in stream mode keeps the
 * partial bytes). Work is linear in the input: each chunk is scanned once and an
 * unterminated line is kept as pieces, joined only when its terminator arrives.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** Pieces of the current, not yet terminated line. */
  private partial: string[] = [];
  /** The previous chunk ended in CR: a LF opening the next chunk belongs to that CR. */
  private pendingCr = false;
  private atStreamStart = true;
  /** The current event's first data line (null: none yet), and any further ones. */
  private data: string | null = null;
  private moreData: string[] | null = null;
  private eventName: string | undefined = undefined;

  push(chunk: Uint8Array | string): SseEvent[] {
    const out: SseEvent[] = [];
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.feed(text, out);
    return out;
  }

  /**
   * End of input: flushes undecodable trailing bytes (as U+FFFD), a last line without a
   * terminator, and a last event without the closing blank line. The spec would drop
   * that event; a truncated upstream reply is more useful delivered than lost.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    const rest = this.decoder.decode();
    if (rest.length > 0) this.feed(rest, out);
    if (this.partial.length > 0) {
      const line = this.partial.join('');
      this.partial = [];
      this.processLine(line, 0, line.length, out);
    }
    this.pendingCr = false;
    this.dispatch(out);
    return out;
  }

  private feed(text: string, out: SseEvent[]): void {
    const n = text.length;
    if (n === 0) return;
    let pos = 0;
    if (this.atStreamStart) {
      // TextDecoder already drops a BOM from bytes; strings reach here untouched.
      this.atStreamStart = false;
      if (text.charCodeAt(0) === BOM) pos = 1;
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      if (pos < n && text.charCodeAt(pos) === LF) pos++;
    }
    // indexOf runs natively; remembering the next hit of each terminator means no
    // character is scanned twice even when the chunk holds thousands of lines.
    let nextLf = text.indexOf('\n', pos);
    let nextCr = text.indexOf('\r', pos);
    while (nextLf !== -1 || nextCr !== -1) {
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (this.partial.length > 0) {
        this.partial.push(text.slice(pos, end));
        const line = this.partial.join('');
        this.partial = [];
        this.processLine(line, 0, line.length, out);
      } else this.processLine(text, pos, end, out);
      pos = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (pos === n) this.pendingCr = true;
        else if (text.charCodeAt(pos) === LF) pos++;
      }
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    }
    if (pos < n) this.partial.push(pos === 0 ? text : text.slice(pos));
  }

  /**
   * The line `text[start, end)`, read in place: a worker parses hundreds of events per read of a
   * long stream, so no line, field name or per-event array is made that the event does not keep.
   * Only `data` and `event` matter, so only they are recognised (any other field is skipped
   * without a search for its colon).
   */
  private processLine(text: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      this.dispatch(out);
      return;
    }
    if (text.charCodeAt(start) === 58 /* ':' */) return; // comment / keep-alive
    if (isField(text, start, end, 'data')) {
      const value = fieldValue(text, start + 4, end);
      if (this.data === null) this.data = value;
      else (this.moreData ??= []).push(value);
    } else if (isField(text, start, end, 'event')) {
      const value = fieldValue(text, start + 5, end);
      this.eventName = value.length > 0 ? value : undefined;
    }
    // id, retry and unknown fields carry nothing the decoder uses.
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data !== null) out.push({ event: this.eventName, data: this.moreData ? [this.data, ...this.moreData].join('\n') : this.data });
    this.data = null;
    this.moreData = null;
    this.eventName = undefined;
  }
}

/** Whether the line `text[start, end)` is the field `name`: the name, then a colon or the line's end. */
function isField(text: string, start: number, end: number, name: string): boolean {
  const after = start + name.length;
  return after <= end && text.startsWith(name, start) && (after === end || text.charCodeAt(after) === 58);
}

/** The value after a field name ending at `at`: past its colon and one space, if any ('' with no colon). */
function fieldValue(text: string, at: number, end: number): string {
  if (at === end) return '';
  let from = at + 1;
  if (from < end && text.charCodeAt(from) === 32) from++;
  return text.slice(from, end);
}
