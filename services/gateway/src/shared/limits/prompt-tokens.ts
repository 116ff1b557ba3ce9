import type { ChatMessage } from '@chatgate/contracts';

type Tokenizer = (typeof import('@chatgate/protocol/o200k'))['o200k'];
let tokenizer: Promise<Tokenizer> | undefined;

/**
 * The worker's tokenizer (`@chatgate/protocol/o200k`, compact ranks: about 30 MB of RSS and a
 * quarter of a second to load): loaded on the first request that needs it (a principal with a
 * budget), never by a gateway that has none.
 */
function loadTokenizer(): Promise<Tokenizer> {
  tokenizer ??= import('@chatgate/protocol/o200k').then(({ o200k }) => {
    // As in the worker: the default merge cache (100,000 words) costs tens of MB.
    o200k.setMergeCacheSize(5_000);
    return o200k;
  });
  return tokenizer;
}

/**
 * Prompt tokens counted exactly as the worker counts them for the usage event (o200k, 3 tokens
 * of framing per message and 3 to prime the reply; conversation's token-counter.ts), so a budget's
 * hold for the prompt is the prompt's real cost. Counted only for principals with a budget.
 */
export async function countPromptTokens(messages: readonly ChatMessage[]): Promise<number> {
  const { countTokens } = await loadTokenizer();
  let prompt = 3;
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    prompt += 3 + countTokens(m.role) + countTokens(text);
  }
  return prompt;
}

/** A reply's tokens as the worker counts them (answer and reasoning, o200k), for a reply the gateway saw cut short. */
export async function countReplyTokens(answer: string, reasoning: string): Promise<number> {
  const { countTokens } = await loadTokenizer();
  return (answer ? countTokens(answer) : 0) + (reasoning ? countTokens(reasoning) : 0);
}
