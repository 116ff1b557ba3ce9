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
  private dataLines: string[] = [];
  private hasData = false;
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
      this.processLine(line, out);
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
      let line = text.slice(pos, end);
      if (this.partial.length > 0) {
        this.partial.push(line);
        line = this.partial.join('');
        this.partial = [];
      }
      this.processLine(line, out);
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

  private processLine(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return; // comment / keep-alive
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    if (field === 'data') {
      this.dataLines.push(value);
      this.hasData = true;
    } else if (field === 'event') {
      this.eventName = value.length > 0 ? value : undefined;
    }
    // id, retry and unknown fields carry nothing the decoder uses.
  }

  private dispatch(out: SseEvent[]): void {
    if (this.hasData) {
      const lines = this.dataLines;
      out.push({ event: this.eventName, data: lines.length === 1 ? lines[0] : lines.join('\n') });
    }
    this.dataLines = [];
    this.hasData = false;
    this.eventName = undefined;
  }
}
