import type { ChatUsageCounts, ResponsesRequestBody } from '@chatgate/protocol';
import { o200k } from '@chatgate/protocol/o200k';

const { countTokens } = o200k;

const textOf = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

/**
 * The prompt's tokens as the worker estimates them when the backend's own count never came (a reply
 * chatgate cut locally, or one its client left): instructions, tools and every input item's text, with
 * chat's framing (3 per item, 3 to prime the reply). Images are not counted: their cost is the backend's.
 */
export function estimatePromptTokens(body: ResponsesRequestBody): number {
  let tokens = 3 + countTokens(textOf(body.instructions));
  if (Array.isArray(body.tools) && body.tools.length) tokens += countTokens(JSON.stringify(body.tools));
  for (const item of body.input) {
    const record = item as Record<string, unknown>;
    tokens += 3;
    if (record.type === 'message' && Array.isArray(record.content)) {
      tokens += countTokens(textOf(record.role));
      for (const part of record.content as Array<Record<string, unknown>>) {
        if (part && (part.type === 'input_text' || part.type === 'output_text')) tokens += countTokens(textOf(part.text));
      }
    } else if (record.type === 'function_call') {
      tokens += countTokens(`${textOf(record.name)}${textOf(record.arguments)}`);
    } else if (record.type === 'function_call_output') {
      tokens += countTokens(textOf(record.output));
    }
  }
  return tokens;
}

/** A reply's usage counted from what went out (answer and reasoning, as TokenBudget counts them), marked estimated. */
export function estimatedUsage(promptTokens: number, content: string, reasoning: string): ChatUsageCounts {
  const reasoningTokens = reasoning ? countTokens(reasoning) : 0;
  const completion = (content ? countTokens(content) : 0) + reasoningTokens;
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion, reasoning_tokens: reasoningTokens, cached_tokens: 0, estimated: true };
}
