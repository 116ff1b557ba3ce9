/**
 * The Responses API's objects as this library reads and writes them (reference upstream-codex.md §4.1,
 * §6). Only the fields chatgate acts on are typed; every object may carry more, which is passed on
 * untouched, so the types are open (`[key: string]: unknown`) where the wire is.
 */

export type JsonObject = Record<string, unknown>;

export type ResponseRole = 'user' | 'assistant' | 'system' | 'developer';

export interface InputTextPart {
  type: 'input_text';
  text: string;
}
export interface InputImagePart {
  type: 'input_image';
  /** An http(s) or `data:` URL. */
  image_url?: string | null;
  file_id?: string | null;
  detail: 'auto' | 'low' | 'high';
}
export interface InputFilePart {
  type: 'input_file';
  /** A `data:` URL (or bare base64) of the file's bytes. */
  file_data?: string;
  file_id?: string | null;
  file_url?: string;
  filename?: string;
}
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export type MessageContentPart = InputTextPart | InputImagePart | InputFilePart | OutputTextPart | RefusalPart;

export interface MessageItem {
  type: 'message';
  id?: string;
  role: ResponseRole;
  status?: ItemStatus;
  content: MessageContentPart[];
}
export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: ItemStatus;
}
export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | MessageContentPart[];
}
export interface SummaryText {
  type: 'summary_text';
  text: string;
}
export interface ReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: SummaryText[];
  content?: { type: 'reasoning_text'; text: string }[];
  /** What lets a stateless backend continue the reasoning next turn (`include: reasoning.encrypted_content`). */
  encrypted_content?: string | null;
}
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** The item kinds chatgate translates; anything else (web_search_call, custom_tool_call, compaction…) is relayed as it came. */
export type KnownItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | ReasoningItem;
/** An item as it travels: one of the known kinds, or an object with some other `type`. */
export type ResponseItem = KnownItem | (JsonObject & { type: string });

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled' | 'queued';

export interface ResponseError {
  code: string;
  message: string;
}

/** The Response object, fields in the order api.openai.com sends them. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  error: ResponseError | null;
  incomplete_details: { reason: string } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: ResponseItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  prompt_cache_key: string | null;
  reasoning: { effort: string | null; summary: string | null };
  safety_identifier: string | null;
  service_tier: string;
  store: boolean;
  temperature: number;
  text: JsonObject;
  tool_choice: unknown;
  tools: unknown[];
  top_logprobs: number;
  top_p: number;
  truncation: string;
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

/** One streamed event: `type` plus whatever that type carries (`sequence_number` on the public API). */
export type ResponseStreamEvent = JsonObject & { type: string };
