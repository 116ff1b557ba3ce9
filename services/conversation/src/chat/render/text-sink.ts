import type { ToolTextKind } from '@chatgate/protocol';

/**
 * The spacing state of one output channel (the answer, or the reasoning): what it ended with, the
 * fence open in it, and whether a block just ended there.
 */
export class TextSink {
  /** The last two characters emitted. */
  private tail = '';
  private emitted = false;
  /** The fence being streamed into, if any. */
  fence: { kind: ToolTextKind; messageId: string } | null = null;
  /** A block just ended: the next text drops its leading newlines and gets one blank line. */
  afterBlock = false;

  note(text: string): void {
    if (text.length === 0) return;
    this.emitted = true;
    this.tail = text.length >= 2 ? text.slice(-2) : (this.tail + text).slice(-2);
  }

  get endsWithNewline(): boolean {
    return this.tail.endsWith('\n');
  }

  /** What puts one blank line between what was emitted and a new block ('' at the start). */
  separator(): string {
    if (!this.emitted || this.tail.endsWith('\n\n')) return '';
    return this.tail.endsWith('\n') ? '\n' : '\n\n';
  }

  /** Text following a block: its leading newlines give way to exactly one blank line. */
  afterBlockText(text: string): string {
    if (!this.afterBlock) return text;
    const trimmed = text.replace(/^\n+/, '');
    if (trimmed.length === 0) return '';
    this.afterBlock = false;
    return this.separator() + trimmed;
  }

  /** Nothing open or pending: text may pass as it is. */
  get idle(): boolean {
    return this.fence === null && !this.afterBlock;
  }
}
