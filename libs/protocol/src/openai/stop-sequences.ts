/**
 * Chat's `stop` done locally, for upstreams that have no such field (the Responses API): the answer
 * is cut before the first occurrence of any stop sequence, which is not sent (as OpenAI does). While
 * streaming, a tail that could still become a stop sequence is held back until the next delta tells;
 * `end()` releases it when the answer ends without one. Applies to answer text only, not reasoning.
 */
export class StopSequenceCutter {
  private readonly stops: string[];
  private held = '';
  private cut = false;

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s !== '');
  }

  /** A stop sequence was met: nothing more goes out; the caller finishes with `stop` and may abort the upstream. */
  get stopped(): boolean {
    return this.cut;
  }

  /** What of `delta` may go out now ('' while a possible stop sequence is pending). */
  take(delta: string): string {
    if (this.cut) return '';
    if (this.stops.length === 0) return delta;
    const text = this.held + delta;
    let at = -1;
    for (const stop of this.stops) {
      const found = text.indexOf(stop);
      if (found !== -1 && (at === -1 || found < at)) at = found;
    }
    if (at !== -1) {
      this.cut = true;
      this.held = '';
      return text.slice(0, at);
    }
    const hold = this.pendingLength(text);
    this.held = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }

  /** The answer ended: what was held back goes out after all. */
  end(): string {
    const rest = this.cut ? '' : this.held;
    this.held = '';
    return rest;
  }

  /** The longest end of `text` that is the start of some stop sequence (and not a whole one). */
  private pendingLength(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(stop.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }
}
