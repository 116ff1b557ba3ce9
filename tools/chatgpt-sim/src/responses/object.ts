// The Response object as the API returns it (non-streamed, and inside the lifecycle events):
// the request's settings echoed with the API's defaults, status, output and usage.
import { isObject, type Item } from './items.js';
import type { Usage } from './plan.js';

export interface ResponseFields {
  id: string;
  createdAt: number;
  model: string;
  status: 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';
  output: Item[];
  usage: Usage | null;
  store: boolean;
  background?: boolean;
  previousResponseId?: string | null;
  error?: { code: string; message: string } | null;
  incompleteReason?: string | null;
}

export type ResponseObject = Record<string, unknown>;

export function responseObject(body: Record<string, unknown>, f: ResponseFields): ResponseObject {
  const reasoning = isObject(body.reasoning) ? body.reasoning : {};
  const text = isObject(body.text) ? body.text : {};
  return {
    id: f.id,
    object: 'response',
    created_at: f.createdAt,
    status: f.status,
    background: f.background ?? false,
    error: f.error ?? null,
    incomplete_details: f.incompleteReason ? { reason: f.incompleteReason } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: f.model,
    output: f.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: f.previousResponseId ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: 'default',
    store: f.store,
    temperature: body.temperature ?? 1,
    text: { format: isObject(text.format) ? text.format : { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: f.usage,
    user: body.user ?? null,
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
}
