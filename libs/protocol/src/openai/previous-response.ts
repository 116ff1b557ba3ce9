import type { ResponseItem } from './responses-types.js';

/**
 * What chatgate keeps of a response to continue it later (the Codex backend keeps nothing): the
 * input it was sent, already expanded with its own predecessors, and the output items it produced
 * (reasoning with its encrypted content included), so one lookup gives a whole chain.
 */
export interface StoredResponseItems {
  input: ResponseItem[];
  output: ResponseItem[];
}

/**
 * `previous_response_id` expanded: the previous response's input and output, then the new input (a
 * string is one user message). As on api.openai.com, the previous response's `instructions` do not
 * carry over; the new request's own apply. Item ids are kept here (stored responses answer
 * `input_items` with them); the Codex body rules strip them before sending.
 */
export function inputWithPrevious(previous: StoredResponseItems, input: string | ResponseItem[] | undefined): ResponseItem[] {
  return [...structuredClone(previous.input), ...structuredClone(previous.output), ...inputItems(input)];
}

/** The request's `input` as a list of items (a string is one user message). */
export function inputItems(input: string | ResponseItem[] | undefined): ResponseItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return structuredClone(input);
}
