import { ChunkEncoder, StopSequenceCutter, type ChatCompletionFinishReason, type CompletionIdentity, type ToolCallStart } from '@chatgate/protocol';
import { TokenBudget } from '../text/token-budget.js';

/**
 * One choice's chunk encoder with what chatgate does locally for an upstream that cannot (the Codex
 * backend has no `stop` and refuses a token limit): text goes out only up to the first stop sequence
 * (a tail that may still become one is held back until the next delta tells), and answer plus
 * reasoning only up to `max_tokens`, counted as the worker counts every reply (TokenBudget, o200k).
 * Once either cut, nothing more goes out and the choice finishes with `stop` or `length`; the caller
 * sees `cut` and stops reading the upstream. It also keeps the text it let through, which is the
 * choice's content and reasoning when it was cut (and what a cut or cancelled reply's usage counts).
 *
 * Sits under ResponsesToChatStream (which calls these methods), so the translation stays one piece.
 */
export class ChoiceGuard extends ChunkEncoder {
  private readonly stops: StopSequenceCutter;
  private readonly budget: TokenBudget | null;
  /** Why the choice was cut locally; null while it was not. */
  cut: 'stop' | 'length' | null = null;
  content = '';
  reasoning = '';

  constructor(identity: CompletionIdentity, includeUsage: boolean, stop: readonly string[], maxTokens: number | undefined) {
    super(identity, includeUsage);
    this.stops = new StopSequenceCutter(stop);
    this.budget = maxTokens !== undefined ? new TokenBudget(maxTokens) : null;
  }

  override delta(content: string | undefined, reasoning: string | undefined, choice = 0): string {
    if (this.cut) return '';
    const thought = reasoning ? this.spend('reasoning', reasoning) : '';
    const said = content && !this.cut ? this.spend('answer', this.stopped(content)) : '';
    return this.emit(said, thought, choice);
  }

  override refusal(text: string, choice = 0): string {
    return this.cut ? '' : super.refusal(text, choice);
  }

  override toolCallStart(call: ToolCallStart, options: { choice?: number; withRole?: boolean } = {}): string {
    return this.cut ? '' : super.toolCallStart(call, options);
  }

  override toolCallArguments(index: number, args: string, choice = 0): string {
    return this.cut ? '' : super.toolCallArguments(index, args, choice);
  }

  /** The end: text held back for a stop sequence that never came goes out first; a local cut names the reason. */
  override finish(reason: ChatCompletionFinishReason, choice = 0): string {
    let tail = '';
    if (!this.cut) {
      const held = this.stops.end();
      if (held) tail = this.emit(this.spend('answer', held), '', choice);
    }
    return tail + super.finish(this.cut ?? reason, choice);
  }

  private stopped(text: string): string {
    const out = this.stops.take(text);
    if (this.stops.stopped) this.cut = 'stop';
    return out;
  }

  private spend(channel: 'answer' | 'reasoning', text: string): string {
    if (!this.budget || text === '') return text;
    const out = this.budget.take(channel, text);
    if (this.budget.exhausted) this.cut = 'length';
    return out;
  }

  private emit(content: string, reasoning: string, choice: number): string {
    this.content += content;
    this.reasoning += reasoning;
    if (!content && !reasoning) return '';
    return super.delta(content || undefined, reasoning || undefined, choice);
  }
}
