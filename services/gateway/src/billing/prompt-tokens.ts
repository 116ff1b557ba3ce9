import { countTokens, setMergeCacheSize } from 'gpt-tokenizer';
import type { ChatMessage } from '@chatgate/contracts';

// As in the worker: the tokenizer's default merge cache (100,000 words) costs tens of MB.
setMergeCacheSize(5_000);

/**
 * Prompt tokens counted exactly as the worker counts them for the usage event (o200k, 3 tokens
 * of framing per message and 3 to prime the reply; conversation's token-counter.ts), so a budget's
 * hold for the prompt is the prompt's real cost. Counted only for principals with a budget.
 */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  let prompt = 3;
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('\n');
    prompt += 3 + countTokens(m.role) + countTokens(text);
  }
  return prompt;
}
