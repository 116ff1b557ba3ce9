import { o200k } from '@chatgate/protocol/o200k';

const { countTokens, decode, encode } = o200k;
import type { TextChannel } from '@chatgate/protocol';

const utf8 = new TextEncoder();

/**
 * `max_tokens` for a reply: the answer and reasoning together (the answer alone, for a model that does not
 * reason) may hold at most `limit` tokens, counted
 * the way usage counts them (each channel's whole text, o200k). Exact at the cut: the text passed
 * through has exactly `limit` tokens when the reply is cut (unless no prefix lands on it exactly).
 *
 * Counting the accumulated text on every delta is quadratic, so nothing is counted until both channels
 * together hold more UTF-8 bytes than the limit: a token is at least one byte, so below that size the
 * limit cannot have been passed. Only jobs with a limit pay for this.
 */
export class TokenBudget {
  private readonly text: Record<TextChannel, string> = { answer: '', reasoning: '' };
  private readonly bytes: Record<TextChannel, number> = { answer: 0, reasoning: 0 };
  /** A channel's exact count and the text length it was taken at, so an unchanged channel is not recounted. */
  private readonly counted: Record<TextChannel, { length: number; tokens: number }> = {
    answer: { length: 0, tokens: 0 },
    reasoning: { length: 0, tokens: 0 },
  };
  private spent = false;

  /**
   * @param countsReasoning whether reasoning spends the limit (a reasoning model, as OpenAI's
   * max_completion_tokens); when not, reasoning passes untouched and the limit is the answer's alone.
   */
  constructor(
    private readonly limit: number,
    private readonly countsReasoning = true,
  ) {}

  /** True once the reply was cut: nothing more may go out. */
  get exhausted(): boolean {
    return this.spent;
  }

  /** What of `delta` may still go out on `channel`: all of it, a prefix (then the budget is spent), or ''. */
  take(channel: TextChannel, delta: string): string {
    if (!this.countsReasoning && channel === 'reasoning') return this.spent ? '' : delta;
    if (this.spent || delta === '') return '';
    const sent = this.text[channel];
    const grown = sent + delta;
    this.text[channel] = grown;
    this.bytes[channel] += utf8.encode(delta).length;
    if (this.bytes.answer + this.bytes.reasoning <= this.limit) return delta;
    const allowed = this.limit - this.countOf(channel === 'answer' ? 'reasoning' : 'answer');
    if (this.countOf(channel) <= allowed) return delta;
    this.spent = true;
    const kept = prefixWithin(grown, allowed, sent.length);
    this.text[channel] = kept;
    return kept.slice(sent.length);
  }

  private countOf(channel: TextChannel): number {
    const text = this.text[channel];
    const cached = this.counted[channel];
    if (cached.length !== text.length) this.counted[channel] = { length: text.length, tokens: countTokens(text) };
    return this.counted[channel].tokens;
  }
}

/**
 * The longest prefix of `text` (at least `floor` characters, which were already sent) with at most
 * `allowed` tokens. The first `allowed` tokens decoded are the usual answer; when re-encoding that
 * text counts differently (a word cut mid-way merges otherwise) a search by code points settles it.
 */
export function prefixWithin(text: string, allowed: number, floor: number): string {
  if (allowed <= 0) return text.slice(0, floor);
  const guess = decode(encode(text).slice(0, allowed));
  if (guess.length >= floor && text.startsWith(guess) && countTokens(guess) === allowed) return guess;
  const points = Array.from(text.slice(floor));
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countTokens(text.slice(0, floor) + points.slice(0, mid).join('')) <= allowed) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, floor) + points.slice(0, lo).join('');
}
