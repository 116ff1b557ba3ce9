import { isObject } from './json.js';
import type { JsonObject, ResponseError, ResponseItem, ResponseObject, ResponseStatus, ResponseUsage } from './responses-types.js';

/**
 * The request fields a Response object repeats back (api.openai.com echoes the request's settings in
 * every Response), with OpenAI's values for what the request left out.
 */
export type ResponseEcho = Pick<
  ResponseObject,
  | 'background'
  | 'instructions'
  | 'max_output_tokens'
  | 'max_tool_calls'
  | 'parallel_tool_calls'
  | 'previous_response_id'
  | 'prompt_cache_key'
  | 'reasoning'
  | 'safety_identifier'
  | 'service_tier'
  | 'store'
  | 'temperature'
  | 'text'
  | 'tool_choice'
  | 'tools'
  | 'top_logprobs'
  | 'top_p'
  | 'truncation'
  | 'user'
  | 'metadata'
>;

/** What the client asked for, as the Response object says it (the client's request, not what an upstream was sent). */
export function responseEchoOf(request: JsonObject): ResponseEcho {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const reasoning = isObject(request.reasoning) ? request.reasoning : {};
  const text = isObject(request.text) ? request.text : {};
  return {
    background: request.background === true,
    instructions: str(request.instructions),
    max_output_tokens: num(request.max_output_tokens),
    max_tool_calls: num(request.max_tool_calls),
    parallel_tool_calls: request.parallel_tool_calls !== false,
    previous_response_id: str(request.previous_response_id),
    prompt_cache_key: str(request.prompt_cache_key),
    reasoning: { effort: str(reasoning.effort), summary: str(reasoning.summary) },
    safety_identifier: str(request.safety_identifier),
    service_tier: str(request.service_tier) ?? 'default',
    store: request.store !== false,
    temperature: num(request.temperature) ?? 1,
    text: { format: isObject(text.format) ? text.format : { type: 'text' }, verbosity: str(text.verbosity) ?? 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_logprobs: num(request.top_logprobs) ?? 0,
    top_p: num(request.top_p) ?? 1,
    truncation: str(request.truncation) ?? 'disabled',
    user: str(request.user),
    metadata: isObject(request.metadata) ? (request.metadata as Record<string, string>) : {},
  };
}

export interface ResponseObjectInit {
  id: string;
  model: string;
  /** Unix seconds. */
  createdAt: number;
  echo: ResponseEcho;
}

/** A Response object in OpenAI's field order. */
export function responseObject(
  init: ResponseObjectInit,
  state: { status: ResponseStatus; output: ResponseItem[]; usage: ResponseUsage | null; error?: ResponseError | null; incompleteReason?: string | null },
): ResponseObject {
  const { echo } = init;
  return {
    id: init.id,
    object: 'response',
    created_at: init.createdAt,
    status: state.status,
    background: echo.background,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: echo.max_tool_calls,
    model: init.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    prompt_cache_key: echo.prompt_cache_key,
    reasoning: echo.reasoning,
    safety_identifier: echo.safety_identifier,
    service_tier: echo.service_tier,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: echo.top_logprobs,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: state.usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** One SSE frame of the public Responses stream: `event:` line, then the event with `type` and `sequence_number` first. */
export function responseEventFrame(type: string, sequenceNumber: number, fields: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequenceNumber, ...fields })}\n\n`;
}

/**
 * The fields of an `error` stream event. OpenAI documents code/message/param at the top level, and
 * sends the error nested under `error` (which is what both official SDKs turn into a thrown error):
 * both are written, so schema-checking clients and the SDKs each find theirs.
 */
export function errorEventFields(error: { code: string | null; message: string; param?: string | null; type?: string }): JsonObject {
  const param = error.param ?? null;
  return {
    code: error.code,
    message: error.message,
    param,
    error: { type: error.type ?? 'server_error', code: error.code, message: error.message, param },
  };
}
