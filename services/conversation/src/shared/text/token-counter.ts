import type { ChatMessage, ChatUsage } from '@chatgate/contracts';
import { messageText } from './message-text.js';
import { o200k } from '@chatgate/protocol/o200k';

const { countTokens, setMergeCacheSize } = o200k;

// The tokenizer memoises merges per distinct word; its default (100,000 entries) costs tens of MB
// on a worker that sees many distinct words. A smaller cache keeps the hit rate on common words.
setMergeCacheSize(5_000);
// Warmed at start, not on a client's request: the first count compiles the split pattern and the merge
// code (tens of milliseconds on a loaded host), which the first requests of a new replica would pay.
countTokens('Warm-up: the tokenizer counts this once at start, with words, numbers (42), punctuation… and ünïcödé.');

/**
 * The ChatGPT upstream reports no token counts, so they are counted with the o200k tokenizer
 * (the GPT-4o/o-series family) the way OpenAI frames chat messages: 3 tokens of framing per
 * message and 3 to prime the reply. Marked as estimated.
 */
export function countUsage(messages: ChatMessage[], answer: string, reasoning: string): ChatUsage {
  let prompt = 3;
  for (const m of messages) {
    // Images and files are not counted: the upstream reports nothing, and their cost depends on its processing.
    prompt += 3 + countTokens(m.role) + countTokens(messageText(m));
  }
  const reasoningTokens = reasoning ? countTokens(reasoning) : 0;
  const completion = (answer ? countTokens(answer) : 0) + reasoningTokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, reasoning_tokens: reasoningTokens, estimated: true };
}
