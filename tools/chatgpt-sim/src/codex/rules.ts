// The Codex backend's request rules (reference §1.2, §1.4), each with the answer the reference
// gives for breaking it; one place, so a rule the real backend changes changes here only. Most
// answers are FastAPI-style `{"detail": …}`; the Responses core's own errors (replayed item ids,
// unpaired tool calls, forged encrypted content) come in OpenAI's envelope.
import type { CodexQuirks } from '../types.js';
import { ResponsesApiError } from '../responses/errors.js';
import { isObject, partsOf, type Item } from '../responses/items.js';

/** A refusal answered `{"detail": message}`. */
export class CodexReject extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const reject = (detail: string, status = 400) => new CodexReject(status, detail);

/** Fields the backend refuses (§1.4): `{"detail":"Unsupported parameter: <name>"}`. */
export const REFUSED_FIELDS = ['max_output_tokens', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'metadata', 'context_management', 'previous_response_id'];

/** What Codex's own prompts start with (the validation of Aug 2025 – Jan 2026, quirk `instructions: codex_prompt`). */
export const CODEX_PROMPT_PREFIX = 'You are Codex';

/** The body as a JSON object; the content type must be exactly application/json when the quirk says so. */
export function parseJsonBody(raw: string, contentType: string | undefined, quirks: CodexQuirks): Record<string, unknown> {
  const type = (contentType ?? '').trim().toLowerCase();
  const ok = quirks.strictContentType ? type === 'application/json' : type.startsWith('application/json');
  if (!ok) throw reject(`Unsupported Content-Type: ${contentType ?? '(none)'}. Use application/json.`, 415);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw reject('Invalid JSON body');
  }
  if (!isObject(parsed)) throw reject('The JSON body must be an object');
  return parsed;
}

function checkInstructions(body: Record<string, unknown>, quirks: CodexQuirks): void {
  const instructions = body.instructions;
  if (typeof instructions !== 'string') throw reject('Instructions are required');
  if (quirks.instructions === 'non_empty' && instructions.trim() === '') throw reject('Instructions are required');
  if (quirks.instructions === 'codex_prompt' && !instructions.startsWith(CODEX_PROMPT_PREFIX)) throw reject('Instructions are not valid');
}

function checkRefused(body: Record<string, unknown>, fields: string[]): void {
  for (const field of fields) if (field in body) throw reject(`Unsupported parameter: ${field}`);
}

function checkTools(body: Record<string, unknown>): void {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool, i) => {
    if (isObject(tool) && tool.type === 'image_generation' && 'n' in tool) throw reject(`Unknown parameter: 'tools[${i}].n'.`);
  });
}

/** POST /responses: store false, stream true, instructions, a non-empty input list, no refused field. */
export function checkResponsesBody(body: Record<string, unknown>, quirks: CodexQuirks): void {
  if (body.store !== false) throw reject('Store must be set to false');
  if (body.stream !== true) throw reject('Stream must be set to true');
  checkInstructions(body, quirks);
  if (!Array.isArray(body.input)) throw reject('Input must be a list');
  if (body.input.length === 0) throw reject('Input must not be empty');
  checkRefused(body, REFUSED_FIELDS);
  checkTools(body);
  if (typeof body.model !== 'string' || body.model === '') throw reject('Model is required');
}

/** POST /responses/compact: unary, so no store or stream; instructions and a list input as for /responses. */
export function checkCompactBody(body: Record<string, unknown>, quirks: CodexQuirks): void {
  checkRefused(body, ['store', 'stream', ...REFUSED_FIELDS]);
  checkInstructions(body, quirks);
  if (!Array.isArray(body.input)) throw reject('Input must be a list');
  if (typeof body.model !== 'string' || body.model === '') throw reject('Model is required');
}

/** The items' rules: no system role, no item ids (store is false), input_file only if accepted. */
export function checkCodexItems(items: Item[], quirks: CodexQuirks): void {
  for (const item of items) {
    if (item.type === 'message' && item.role === 'system') throw reject('System messages are not allowed');
    if (!quirks.acceptInputFile && item.type === 'message' && partsOf(item).some((p) => p.type === 'input_file')) throw reject('Unsupported content type: input_file');
  }
  for (const item of items) {
    if (typeof item.id === 'string') {
      throw new ResponsesApiError(400, `Item with id '${item.id}' not found. Items are not persisted when store is set to false. Try again with store set to true, or remove this item from your input.`, 'input');
    }
  }
}

/** A model outside the account's list: the reference's 400. */
export function checkModel(model: string, models: string[]): void {
  if (!models.includes(model)) throw reject(`The '${model}' model is not supported when using Codex with a ChatGPT account.`);
}
