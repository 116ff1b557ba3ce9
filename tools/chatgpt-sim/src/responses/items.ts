// Input items of the Responses API: normalised from what clients send (a string, messages with or
// without `type`, string or part-list content), read for their text, and checked the way the API
// checks them (every tool output answers a call and every call gets an output; replayed encrypted
// content must be genuine; reasoning items carry a summary).
import { platformTokens } from '../platform/tokens.js';
import { badRequest } from './errors.js';
import type { Sealer } from './seal.js';

export type Item = Record<string, unknown>;
export type Part = Record<string, unknown>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string becomes one user message; a message without `type` (the SDKs' short form) gets `type: message`. */
export function normalizeInput(input: unknown): Item[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) return [];
  return input.filter(isObject).map((item) => (item.type === undefined && typeof item.role === 'string' ? { type: 'message', ...item } : item));
}

/** A message's content as parts (a string content is one text part). */
export function partsOf(item: Item): Part[] {
  const content = item.content;
  if (typeof content === 'string') return [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

function textOfParts(parts: Part[]): string {
  return parts.map((p) => (typeof p.text === 'string' ? p.text : typeof p.refusal === 'string' ? p.refusal : '')).join('');
}

/** The text of a tool output, which is a string or a list of parts. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return Array.isArray(output) ? textOfParts(output.filter(isObject)) : '';
}

/** What an item says, for token counting. */
export function itemText(item: Item): string {
  switch (item.type) {
    case 'message':
      return textOfParts(partsOf(item));
    case 'function_call':
      return `${String(item.name ?? '')}${String(item.arguments ?? '')}`;
    case 'custom_tool_call':
      return `${String(item.name ?? '')}${String(item.input ?? '')}`;
    case 'function_call_output':
    case 'custom_tool_call_output':
      return outputText(item.output);
    case 'reasoning':
      return Array.isArray(item.summary) ? textOfParts(item.summary.filter(isObject)) : '';
    default:
      return '';
  }
}

function imageCount(item: Item): number {
  const parts = item.type === 'message' ? partsOf(item) : Array.isArray(item.output) ? item.output.filter(isObject) : [];
  return parts.filter((p) => p.type === 'input_image').length;
}

/**
 * Input tokens of a request, deterministic so a test can compute what a gateway must record:
 * the instructions, then per item 3 plus its text, and 85 per image (a low-detail tile).
 */
export function responsesInputTokens(input: unknown, instructions?: unknown): number {
  let total = typeof instructions === 'string' ? platformTokens(instructions) : 0;
  for (const item of normalizeInput(input)) total += 3 + platformTokens(itemText(item)) + 85 * imageCount(item);
  return total;
}

export function lastUserMessage(items: Item[]): Item | undefined {
  return items.findLast((item) => item.type === 'message' && item.role === 'user');
}

export function userText(item: Item | undefined): string {
  return item ? textOfParts(partsOf(item).filter((p) => p.type === 'input_text' || p.type === 'text')) : '';
}

const CALLS: Record<string, string> = { function_call_output: 'function_call', custom_tool_call_output: 'custom_tool_call' };

/** The call an output answers (same call_id), for its name. */
export function callFor(items: Item[], output: Item): Item | undefined {
  const kind = CALLS[String(output.type)];
  return items.find((item) => item.type === kind && item.call_id === output.call_id);
}

/**
 * The API's checks on a whole conversation (history plus this request's input): tool outputs and
 * calls pair up by call_id, reasoning items carry `summary`, and replayed `encrypted_content` is
 * content this simulator sealed. `offset` is where this request's input starts (for `input[i]` params).
 */
export function checkItems(items: Item[], sealer: Sealer, offset = 0): void {
  items.forEach((item, i) => {
    const at = `input[${i - offset}]`;
    if ((item.type === 'function_call_output' || item.type === 'custom_tool_call_output') && !callFor(items, item)) {
      throw badRequest(`No tool call found for function call output with call_id ${String(item.call_id)}.`, 'input');
    }
    if ((item.type === 'function_call' || item.type === 'custom_tool_call') && !items.some((o) => CALLS[String(o.type)] === item.type && o.call_id === item.call_id)) {
      throw badRequest(`No tool output found for function call ${String(item.call_id)}.`, 'input');
    }
    if (item.type === 'reasoning') {
      if (!Array.isArray(item.summary)) throw badRequest(`Missing required parameter: '${at}.summary'.`, `${at}.summary`, 'missing_required_parameter');
      if (item.encrypted_content !== undefined && item.encrypted_content !== null && !sealer.open('reasoning', item.encrypted_content)) {
        throw encryptedContentError(item);
      }
    }
    if (item.type === 'compaction' && !sealer.open('compaction', item.encrypted_content)) throw encryptedContentError(item);
  });
}

function encryptedContentError(item: Item) {
  const which = typeof item.id === 'string' ? ` for item ${item.id}` : '';
  return badRequest(`The encrypted content${which} could not be verified.`, null, 'invalid_encrypted_content');
}
