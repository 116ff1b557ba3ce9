import { reasoningEffortSchema } from '@chatgate/contracts';
import { DialectError, type UncarriedField } from './dialect-error.js';
import { isObject } from './json.js';
import type { ResponsesRequestBody } from './responses-request.js';
import type { FunctionCallItem, JsonObject, MessageContentPart, MessageItem, ResponseItem } from './responses-types.js';

/**
 * A chat completions request in the Responses API's terms (reference upstream-codex.md §4.2: the
 * mapping LiteLLM, new-api and CLIProxyAPI converge on). The result is a *public* Responses request;
 * what the Codex backend additionally demands is `codexRequestRules`' job.
 *
 * - Leading system/developer messages become `instructions` (where the Responses API keeps the system
 *   prompt); later ones stay in place as messages, so their position still means what it meant.
 * - user parts: text → input_text, image_url → input_image, file → input_file; input_audio is refused.
 * - assistant text → an assistant message with output_text; its tool_calls → function_call items after
 *   it (no empty assistant message, so call ids pair up); tool messages → function_call_output.
 * - tools, tool_choice, response_format, reasoning_effort, max_(completion_)tokens, sampling, metadata,
 *   user, store map field by field. `strict` is sent explicitly false when the chat tool left it out:
 *   chat's default is false, the Responses API's is true.
 * - `stop` has no Responses field: it is returned for the caller to cut locally; `n` is returned as
 *   `choices` (the caller runs that many requests). Fields with no equivalent are listed, never
 *   silently dropped: `unsupported` for the caller to refuse, `dropped` for what only loses a label.
 *
 * Malformed parts (that the gateway's loose schema let through) throw a DialectError naming the param.
 */
export interface ChatToResponsesOptions {
  /**
   * Ask for reasoning summaries on every request (`reasoning.summary`), not only when the client set
   * `reasoning_effort`: on upstreams whose models always reason (Codex), this is what fills
   * `reasoning_content`. Platform models without reasoning refuse the field, hence opt-in.
   */
  reasoningSummary?: 'auto' | 'concise' | 'detailed';
}

export interface ChatToResponsesResult {
  request: ResponsesRequestBody;
  /** Stop sequences to cut the answer at locally (the Responses API has none). */
  stop: string[];
  /** How many choices the client asked for (`n`): one upstream request each. */
  choices: number;
  /** Fields the Responses API cannot carry and the client would notice: answer 400. */
  unsupported: UncarriedField[];
  /** Fields dropped because they change nothing the model produces (participant names). */
  dropped: UncarriedField[];
}

export function chatToResponsesRequest(chat: JsonObject, options: ChatToResponsesOptions = {}): ChatToResponsesResult {
  if (typeof chat.model !== 'string' || chat.model === '') throw new DialectError("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (!Array.isArray(chat.messages) || chat.messages.length === 0) {
    throw new DialectError("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  const dropped: UncarriedField[] = [];
  const { instructions, input } = translateMessages(chat.messages, dropped);
  const request: ResponsesRequestBody = { model: chat.model, input };
  if (instructions !== undefined) request.instructions = instructions;

  const tools = translateTools(chat.tools);
  if (tools) request.tools = tools;
  if (chat.tool_choice != null) request.tool_choice = translateToolChoice(chat.tool_choice);
  if (typeof chat.parallel_tool_calls === 'boolean') request.parallel_tool_calls = chat.parallel_tool_calls;

  const text = translateTextConfig(chat.response_format, chat.verbosity);
  if (text) request.text = text;
  const reasoning = translateReasoning(chat.reasoning_effort, options.reasoningSummary);
  if (reasoning) request.reasoning = reasoning;

  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  if (typeof maxTokens === 'number') request.max_output_tokens = maxTokens;
  for (const field of ['temperature', 'top_p'] as const) if (typeof chat[field] === 'number') request[field] = chat[field];
  for (const field of ['user', 'service_tier', 'prompt_cache_key', 'safety_identifier'] as const) if (typeof chat[field] === 'string') request[field] = chat[field];
  if (typeof chat.store === 'boolean') request.store = chat.store;
  if (isObject(chat.metadata)) request.metadata = chat.metadata as Record<string, string>;
  request.stream = chat.stream === true;

  return { request, stop: stopSequences(chat.stop), choices: typeof chat.n === 'number' ? chat.n : 1, unsupported: unsupportedFields(chat), dropped };
}

/** Chat fields with no Responses equivalent, when set to something other than their default. */
function unsupportedFields(chat: JsonObject): UncarriedField[] {
  const out: UncarriedField[] = [];
  const add = (param: string, reason: string) => out.push({ param, reason });
  if (chat.logprobs === true) add('logprobs', 'Log probabilities are not available on this upstream.');
  if (chat.top_logprobs != null) add('top_logprobs', 'Log probabilities are not available on this upstream.');
  if (isObject(chat.logit_bias) && Object.keys(chat.logit_bias).length > 0) add('logit_bias', 'The Responses API has no logit_bias.');
  for (const field of ['frequency_penalty', 'presence_penalty'] as const) {
    if (typeof chat[field] === 'number' && chat[field] !== 0) add(field, `The Responses API has no ${field}.`);
  }
  if (chat.seed != null) add('seed', 'The Responses API has no seed.');
  if (chat.audio != null) add('audio', 'Audio output is not available on this upstream.');
  if (Array.isArray(chat.modalities) && chat.modalities.some((m) => m !== 'text')) add('modalities', 'Only text output is available on this upstream.');
  if (chat.prediction != null) add('prediction', 'Predicted outputs are not available on this upstream.');
  if (chat.web_search_options != null) add('web_search_options', 'Web search options are not available on this upstream.');
  if (Array.isArray(chat.functions) && chat.functions.length > 0) add('functions', "The deprecated 'functions' field is not supported here: send 'tools'.");
  if (chat.function_call != null) add('function_call', "The deprecated 'function_call' field is not supported here: send 'tool_choice'.");
  return out;
}

function stopSequences(stop: unknown): string[] {
  if (typeof stop === 'string') return stop === '' ? [] : [stop];
  if (Array.isArray(stop)) {
    return stop.map((value, i) => {
      if (typeof value !== 'string') throw new DialectError(`Invalid value for 'stop[${i}]': expected a string.`, `stop[${i}]`, 'invalid_value');
      return value;
    }).filter((value) => value !== '');
  }
  if (stop != null) throw new DialectError("Invalid value for 'stop': expected a string or an array of strings.", 'stop', 'invalid_value');
  return [];
}

// ---------------------------------------------------------------- messages

function translateMessages(messages: unknown[], dropped: UncarriedField[]): { instructions?: string; input: ResponseItem[] } {
  // Leading system prompts become instructions, unless nothing would be left as input.
  let lead = 0;
  while (lead < messages.length && isSystemLike(messages[lead])) lead++;
  if (lead === messages.length) lead = 0;
  const instructions = lead > 0 ? messages.slice(0, lead).map((m, i) => textOnly((m as JsonObject).content, `messages[${i}].content`)).join('\n\n') : undefined;

  const input: ResponseItem[] = [];
  messages.forEach((message, index) => {
    if (index < lead) return;
    const param = `messages[${index}]`;
    if (!isObject(message)) throw new DialectError(`Invalid value for '${param}': expected an object.`, param, 'invalid_value');
    if (message.name != null) dropped.push({ param: `${param}.name`, reason: 'The Responses API has no participant names.' });
    input.push(...translateMessage(message, param));
  });
  return { instructions, input };
}

function isSystemLike(message: unknown): boolean {
  return isObject(message) && (message.role === 'system' || message.role === 'developer');
}

function translateMessage(message: JsonObject, param: string): ResponseItem[] {
  switch (message.role) {
    case 'system':
    case 'developer':
      return [messageItem(message.role, [{ type: 'input_text', text: textOnly(message.content, `${param}.content`) }])];
    case 'user':
      return [messageItem('user', userParts(message.content, `${param}.content`))];
    case 'assistant':
      return assistantItems(message, param);
    case 'tool':
      return [toolOutput(message, param)];
    case 'function':
      throw new DialectError("The deprecated 'function' role is not supported here: send tool messages with 'tool_call_id'.", `${param}.role`, 'unsupported_value');
    default:
      throw new DialectError(`Invalid value for '${param}.role': ${JSON.stringify(message.role)}.`, `${param}.role`, 'invalid_value');
  }
}

function messageItem(role: MessageItem['role'], content: MessageContentPart[]): MessageItem {
  return { type: 'message', role, content };
}

/** System, developer and tool content: a string or text parts, joined (no other part means anything there). */
function textOnly(content: unknown, param: string): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new DialectError(`Invalid value for '${param}': expected a string or an array of content parts.`, param, 'invalid_value');
  return content.map((part, i) => partText(part, `${param}[${i}]`)).join('');
}

function partText(part: unknown, param: string): string {
  if (!isObject(part)) throw new DialectError(`Invalid value for '${param}': expected a content part object.`, param, 'invalid_value');
  if (part.type !== 'text') throw new DialectError(`Content parts of type '${String(part.type)}' are not allowed here; only 'text'.`, `${param}.type`, 'unsupported_content_type');
  if (typeof part.text !== 'string') throw new DialectError(`Invalid value for '${param}.text': expected a string.`, `${param}.text`, 'invalid_value');
  return part.text;
}

const DETAILS = new Set(['auto', 'low', 'high']);

function userParts(content: unknown, param: string): MessageContentPart[] {
  if (content == null) return [{ type: 'input_text', text: '' }];
  if (typeof content === 'string') return [{ type: 'input_text', text: content }];
  if (!Array.isArray(content)) throw new DialectError(`Invalid value for '${param}': expected a string or an array of content parts.`, param, 'invalid_value');
  return content.map((part, i) => userPart(part, `${param}[${i}]`));
}

function userPart(part: unknown, param: string): MessageContentPart {
  if (!isObject(part)) throw new DialectError(`Invalid value for '${param}': expected a content part object.`, param, 'invalid_value');
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: partText(part, param) };
    case 'image_url': {
      const image = part.image_url;
      // A few clients send the URL as a bare string; OpenAI documents an object.
      const url = typeof image === 'string' ? image : isObject(image) ? image.url : undefined;
      if (typeof url !== 'string' || url === '') throw new DialectError(`Missing required parameter: '${param}.image_url.url'.`, `${param}.image_url.url`, 'missing_required_parameter');
      const detail = isObject(image) ? (image.detail ?? 'auto') : 'auto';
      if (typeof detail !== 'string' || !DETAILS.has(detail)) {
        throw new DialectError(`Invalid value for '${param}.image_url.detail': expected one of auto, low, high.`, `${param}.image_url.detail`, 'invalid_value');
      }
      return { type: 'input_image', image_url: url, detail: detail as 'auto' | 'low' | 'high' };
    }
    case 'file': {
      const file = part.file;
      if (!isObject(file)) throw new DialectError(`Missing required parameter: '${param}.file'.`, `${param}.file`, 'missing_required_parameter');
      if (typeof file.file_data === 'string' && file.file_data !== '') {
        return { type: 'input_file', file_data: file.file_data, ...(typeof file.filename === 'string' ? { filename: file.filename } : {}) };
      }
      if (typeof file.file_id === 'string' && file.file_id !== '') return { type: 'input_file', file_id: file.file_id };
      throw new DialectError(`Missing required parameter: '${param}.file.file_data'.`, `${param}.file.file_data`, 'missing_required_parameter');
    }
    case 'input_audio':
      throw new DialectError('Audio input is not supported on this upstream: transcribe it first, or route the model to an API-key account.', `${param}.type`, 'unsupported_content_type');
    default:
      throw new DialectError(`Content parts of type '${String(part.type)}' are not supported.`, `${param}.type`, 'unsupported_content_type');
  }
}

function assistantItems(message: JsonObject, param: string): ResponseItem[] {
  if (message.function_call != null) {
    throw new DialectError("The deprecated 'function_call' on assistant messages is not supported here: send 'tool_calls'.", `${param}.function_call`, 'unsupported_parameter');
  }
  if (message.audio != null) throw new DialectError('Earlier audio answers cannot be sent to this upstream.', `${param}.audio`, 'unsupported_parameter');
  const items: ResponseItem[] = [];
  const parts = assistantParts(message.content, `${param}.content`);
  if (typeof message.refusal === 'string' && message.refusal !== '' && !parts.some((p) => p.type === 'refusal')) parts.push({ type: 'refusal', refusal: message.refusal });
  if (parts.length > 0) items.push(messageItem('assistant', parts));
  if (message.tool_calls != null) {
    if (!Array.isArray(message.tool_calls)) throw new DialectError(`Invalid value for '${param}.tool_calls': expected an array.`, `${param}.tool_calls`, 'invalid_value');
    message.tool_calls.forEach((call, i) => items.push(functionCallItem(call, `${param}.tool_calls[${i}]`)));
  }
  return items;
}

/** Assistant content as output parts; empty text is no part at all (an assistant turn that only called tools). */
function assistantParts(content: unknown, param: string): MessageContentPart[] {
  if (content == null || content === '') return [];
  if (typeof content === 'string') return [{ type: 'output_text', text: content, annotations: [] }];
  if (!Array.isArray(content)) throw new DialectError(`Invalid value for '${param}': expected a string or an array of content parts.`, param, 'invalid_value');
  return content.map((part, i): MessageContentPart => {
    const at = `${param}[${i}]`;
    if (isObject(part) && part.type === 'refusal') {
      if (typeof part.refusal !== 'string') throw new DialectError(`Invalid value for '${at}.refusal': expected a string.`, `${at}.refusal`, 'invalid_value');
      return { type: 'refusal', refusal: part.refusal };
    }
    return { type: 'output_text', text: partText(part, at), annotations: [] };
  });
}

function functionCallItem(call: unknown, param: string): FunctionCallItem {
  if (!isObject(call)) throw new DialectError(`Invalid value for '${param}': expected an object.`, param, 'invalid_value');
  if (call.type !== undefined && call.type !== 'function') {
    throw new DialectError(`Tool calls of type '${String(call.type)}' are not supported; only 'function'.`, `${param}.type`, 'unsupported_value');
  }
  const fn = call.function;
  if (typeof call.id !== 'string' || call.id === '') throw new DialectError(`Missing required parameter: '${param}.id'.`, `${param}.id`, 'missing_required_parameter');
  if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
    throw new DialectError(`Missing required parameter: '${param}.function.name'.`, `${param}.function.name`, 'missing_required_parameter');
  }
  const args = fn.arguments ?? '';
  if (typeof args !== 'string') throw new DialectError(`Invalid value for '${param}.function.arguments': expected a string.`, `${param}.function.arguments`, 'invalid_value');
  return { type: 'function_call', call_id: call.id, name: fn.name, arguments: args };
}

function toolOutput(message: JsonObject, param: string): ResponseItem {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw new DialectError(`Missing required parameter: '${param}.tool_call_id'.`, `${param}.tool_call_id`, 'missing_required_parameter');
  }
  return { type: 'function_call_output', call_id: message.tool_call_id, output: textOnly(message.content, `${param}.content`) };
}

// ---------------------------------------------------------------- tools and formats

function translateTools(tools: unknown): JsonObject[] | undefined {
  if (tools == null) return undefined;
  if (!Array.isArray(tools)) throw new DialectError("Invalid value for 'tools': expected an array.", 'tools', 'invalid_value');
  if (tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    const param = `tools[${i}]`;
    if (!isObject(tool)) throw new DialectError(`Invalid value for '${param}': expected an object.`, param, 'invalid_value');
    if (tool.type !== 'function') throw new DialectError(`Tools of type '${String(tool.type)}' are not supported on this upstream; only 'function'.`, `${param}.type`, 'unsupported_value');
    const fn = tool.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
      throw new DialectError(`Missing required parameter: '${param}.function.name'.`, `${param}.function.name`, 'missing_required_parameter');
    }
    const out: JsonObject = { type: 'function', name: fn.name };
    if (typeof fn.description === 'string') out.description = fn.description;
    out.parameters = isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} };
    out.strict = fn.strict === true;
    return out;
  });
}

function translateToolChoice(choice: unknown): string | JsonObject {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  if (isObject(choice) && choice.type === 'function') {
    const fn = choice.function;
    if (!isObject(fn) || typeof fn.name !== 'string') {
      throw new DialectError("Missing required parameter: 'tool_choice.function.name'.", 'tool_choice.function.name', 'missing_required_parameter');
    }
    return { type: 'function', name: fn.name };
  }
  if (isObject(choice) && choice.type === 'allowed_tools' && isObject(choice.allowed_tools)) {
    const { mode, tools } = choice.allowed_tools;
    if ((mode !== 'auto' && mode !== 'required') || !Array.isArray(tools)) {
      throw new DialectError("Invalid value for 'tool_choice.allowed_tools': expected a mode (auto or required) and a list of tools.", 'tool_choice.allowed_tools', 'invalid_value');
    }
    return {
      type: 'allowed_tools',
      mode,
      tools: tools.map((tool, i) => {
        const name = isObject(tool) && isObject(tool.function) ? tool.function.name : undefined;
        if (typeof name !== 'string') {
          throw new DialectError(`Missing required parameter: 'tool_choice.allowed_tools.tools[${i}].function.name'.`, `tool_choice.allowed_tools.tools[${i}].function.name`, 'missing_required_parameter');
        }
        return { type: 'function', name };
      }),
    };
  }
  throw new DialectError("Invalid value for 'tool_choice': expected none, auto, required or a function.", 'tool_choice', 'invalid_value');
}

function translateTextConfig(format: unknown, verbosity: unknown): ResponsesRequestBody['text'] | undefined {
  const text: NonNullable<ResponsesRequestBody['text']> = {};
  if (format != null) {
    if (!isObject(format)) throw new DialectError("Invalid value for 'response_format': expected an object.", 'response_format', 'invalid_value');
    switch (format.type) {
      case 'text':
      case 'json_object':
        text.format = { type: format.type };
        break;
      case 'json_schema': {
        const spec = format.json_schema;
        if (!isObject(spec) || typeof spec.name !== 'string' || spec.name === '') {
          throw new DialectError("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
        }
        const out: JsonObject = { type: 'json_schema', name: spec.name };
        if (typeof spec.description === 'string') out.description = spec.description;
        out.schema = isObject(spec.schema) ? spec.schema : {};
        if (typeof spec.strict === 'boolean') out.strict = spec.strict;
        text.format = out;
        break;
      }
      default:
        throw new DialectError(`Invalid value for 'response_format.type': ${JSON.stringify(format.type)}.`, 'response_format.type', 'invalid_value');
    }
  }
  if (verbosity != null) {
    if (verbosity !== 'low' && verbosity !== 'medium' && verbosity !== 'high') {
      throw new DialectError("Invalid value for 'verbosity': expected low, medium or high.", 'verbosity', 'invalid_value');
    }
    text.verbosity = verbosity;
  }
  return text.format || text.verbosity ? text : undefined;
}

function translateReasoning(effort: unknown, summary: ChatToResponsesOptions['reasoningSummary']): ResponsesRequestBody['reasoning'] | undefined {
  if (effort == null) return summary ? { summary } : undefined;
  const parsed = reasoningEffortSchema.safeParse(effort);
  if (!parsed.success) {
    throw new DialectError(`Invalid value for 'reasoning_effort': expected one of ${reasoningEffortSchema.options.join(', ')}.`, 'reasoning_effort', 'invalid_value');
  }
  // No summary to ask for when the client turned reasoning off.
  if (parsed.data === 'none') return { effort: 'none' };
  return { effort: parsed.data, summary: summary ?? 'auto' };
}
