/**
 * Rewrites answer text as it streams: citation markers become links, `(sandbox:/mnt/data/...)`
 * link targets become gateway links, and no private-use character (the upstream's marker
 * brackets) reaches the client. A marker may be split across chunks, so text from a possible
 * marker start is held back until the marker is complete or cannot be one.
 */
export interface MarkerResolver {
  /** The links a citation marker stands for (`【3†source】`, `\ue200cite\ue202turn0search0\ue201`); '' drops it. */
  citation(marker: string): string;
  /** What replaces `(sandbox:<path>)`: `(<url>)`, or a note. */
  sandbox(path: string, messageId: string): string;
}

const SANDBOX = '(sandbox:';
/** Longer than any real marker: past this a start character was just text. */
const MAX_BRACKET_MARKER = 64;
const MAX_PRIVATE_MARKER = 1024;
const MAX_SANDBOX_LINK = 2048;

const MAYBE_MARKER = /[【(\ue000-\uf8ff]/;
const isPrivateUse = (code: number) => code >= 0xe000 && code <= 0xf8ff;

export class InlineMarkers {
  private held = '';
  private heldMessageId = '';
  private lastChar = '';

  constructor(private readonly resolve: MarkerResolver) {}

  /** The text to emit now for `text` of message `messageId`. */
  push(text: string, messageId: string): string {
    // The hot path: plain text with nothing held back goes through untouched.
    if (this.held.length === 0 && !MAYBE_MARKER.test(text)) {
      if (text.length > 0) this.lastChar = text[text.length - 1];
      return text;
    }
    const s = this.held + text;
    this.held = '';
    this.heldMessageId = messageId;
    let out = '';
    let from = 0;
    const emit = (piece: string) => {
      if (piece.length === 0) return;
      out += piece;
      this.lastChar = piece[piece.length - 1];
    };
    const replace = (replacement: string) => {
      if (replacement.length === 0) return;
      const spaced = /[^\s([]/.test(this.lastChar) && /^[[!]/.test(replacement) ? ` ${replacement}` : replacement;
      emit(spaced);
    };
    for (let j = 0; j < s.length; j++) {
      const c = s[j];
      const code = s.charCodeAt(j);
      if (c === '【' || code === 0xe200) {
        const close = s.indexOf(c === '【' ? '】' : '\ue201', j + 1);
        const max = c === '【' ? MAX_BRACKET_MARKER : MAX_PRIVATE_MARKER;
        if (close >= 0 && close - j <= max) {
          emit(s.slice(from, j));
          replace(this.resolve.citation(s.slice(j, close + 1)));
          from = close + 1;
          j = close;
          continue;
        }
        if (close < 0 && s.length - j <= max) {
          emit(s.slice(from, j));
          this.held = s.slice(j);
          return out;
        }
        // Too long to be a marker: a bracket is text, a private-use character is dropped.
        if (code === 0xe200) {
          emit(s.slice(from, j));
          from = j + 1;
        }
        continue;
      }
      if (c === '(' && s.length - j < SANDBOX.length && SANDBOX.startsWith(s.slice(j))) {
          emit(s.slice(from, j));
          this.held = s.slice(j);
          return out;
        }
      if (c === '(' && s.startsWith(SANDBOX, j)) {
        const close = s.indexOf(')', j + SANDBOX.length);
        if (close >= 0 && close - j <= MAX_SANDBOX_LINK) {
          emit(s.slice(from, j));
          emit(this.resolve.sandbox(s.slice(j + SANDBOX.length, close), messageId));
          from = close + 1;
          j = close;
          continue;
        }
        if (close < 0 && s.length - j <= MAX_SANDBOX_LINK) {
          emit(s.slice(from, j));
          this.held = s.slice(j);
          return out;
        }
        continue;
      }
      if (isPrivateUse(code)) {
        emit(s.slice(from, j));
        from = j + 1;
      }
    }
    emit(s.slice(from));
    return out;
  }

  /** Text is held back, waiting for the rest of a possible marker. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** `text` would pass through unchanged (no marker could start in it). */
  plain(text: string): boolean {
    return !MAYBE_MARKER.test(text);
  }

  /** Whatever is held back, as plain text (an unfinished marker loses its private-use characters). */
  flush(): string {
    if (this.held.length === 0) return '';
    const rest = this.held;
    this.held = '';
    let out = '';
    for (const ch of rest) if (!isPrivateUse(ch.charCodeAt(0))) out += ch;
    if (out.length > 0) this.lastChar = out[out.length - 1];
    return out;
  }

  /** The message whose text is held back (for the event that carries the flush). */
  get pendingMessageId(): string {
    return this.heldMessageId;
  }
}
