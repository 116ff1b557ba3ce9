import type { ChatContentPart, ChatMessage, ReasoningEffort } from '@chatgate/contracts';
import { reasoningEffortSchema } from '@chatgate/contracts';
import { DialectError } from './dialect-error.js';
import { isObject } from './json.js';
import type { JsonObject, ResponseItem } from './responses-types.js';

/**
 * A Responses request as the ChatGPT web backend's chat job (which has no tools): `instructions` as
 * the system message, then the history (`previousItems`: a stored response's input and output, for
 * `previous_response_id`), then the input. Messages keep their roles; parts map to the chat parts
 * (input_text/output_text → text, input_image → image_url, input_file with file_data → file).
 * Reasoning items are dropped (the web backend reasons afresh). What the web backend cannot do is a
 * DialectError naming the field: function tools and their items, structured output, file ids and file
 * URLs. Empty `tools`, `include`, `text: {}` and `text.format: text` are accepted.
 */
export interface ChatJobInput {
  messages: ChatMessage[];
  maxTokens?: number;
  reasoningEffort?: ReasoningEffort;
}

const NO_TOOLS = 'is not supported by the ChatGPT upstream. Route this model to Codex accounts or API keys to use it.';

export function responsesRequestToChatMessages(request: JsonObject, previousItems: ResponseItem[] = []): ChatJobInput {
  refuseToolsAndFormats(request);
  const messages: ChatMessage[] = [];
  if (typeof request.instructions === 'string' && request.instructions !== '') messages.push({ role: 'system', content: request.instructions });
  previousItems.forEach((item) => {
    const message = toChatMessage(item, 'previous_response_id');
    if (message) messages.push(message);
  });
  const input = request.input;
  if (typeof input === 'string') messages.push({ role: 'user', content: input });
  else if (Array.isArray(input)) {
    input.forEach((item, i) => {
      const message = toChatMessage(item, `input[${i}]`);
      if (message) messages.push(message);
    });
  } else if (input != null) throw new DialectError("Invalid value for 'input': expected a string or an array of items.", 'input', 'invalid_value');
  if (!messages.some((m) => m.role === 'user')) throw new DialectError("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');

  const out: ChatJobInput = { messages };
  if (typeof request.max_output_tokens === 'number') out.maxTokens = request.max_output_tokens;
  const effort = reasoningEffortSchema.safeParse(isObject(request.reasoning) ? request.reasoning.effort : undefined);
  if (effort.success) out.reasoningEffort = effort.data;
  return out;
}

function refuseToolsAndFormats(request: JsonObject): void {
  if (Array.isArray(request.tools) && request.tools.length > 0) throw new DialectError(`Tool calling ${NO_TOOLS}`, 'tools', 'unsupported_parameter');
  const choice = request.tool_choice;
  if (choice === 'required' || isObject(choice)) throw new DialectError(`Tool choice ${NO_TOOLS}`, 'tool_choice', 'unsupported_parameter');
  const format = isObject(request.text) && isObject(request.text.format) ? request.text.format : null;
  if (format && format.type !== 'text') throw new DialectError(`Structured output (text.format '${String(format.type)}') ${NO_TOOLS}`, 'text.format', 'unsupported_parameter');
}

function toChatMessage(item: unknown, param: string): ChatMessage | null {
  if (!isObject(item)) throw new DialectError(`Invalid value for '${param}': expected an item object.`, param, 'invalid_value');
  const type = item.type ?? 'message';
  switch (type) {
    case 'message':
      return messageOf(item, param);
    case 'reasoning':
      return null;
    case 'function_call':
    case 'function_call_output':
    case 'custom_tool_call':
    case 'custom_tool_call_output':
      throw new DialectError(`Items of type '${type}' (tool calls and their results) ${NO_TOOLS}`, `${param}.type`, 'unsupported_parameter');
    default:
      throw new DialectError(`Items of type '${String(type)}' are not supported by the ChatGPT upstream.`, `${param}.type`, 'unsupported_parameter');
  }
}

function messageOf(item: JsonObject, param: string): ChatMessage {
  const role = item.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
    throw new DialectError(`Invalid value for '${param}.role': ${JSON.stringify(role)}.`, `${param}.role`, 'invalid_value');
  }
  const content = item.content;
  if (typeof content === 'string') return { role, content };
  if (!Array.isArray(content)) throw new DialectError(`Invalid value for '${param}.content': expected a string or an array of content parts.`, `${param}.content`, 'invalid_value');
  const parts = content.map((part, p) => chatPart(part, role, `${param}.content[${p}]`));
  // Text only: one string, as chat clients send it (and as the conversation records hash it).
  if (parts.every((part) => part.type === 'text')) return { role, content: parts.map((part) => (part.type === 'text' ? part.text : '')).join('') };
  return { role, content: parts };
}

function chatPart(part: unknown, role: string, param: string): ChatContentPart {
  if (!isObject(part)) throw new DialectError(`Invalid value for '${param}': expected a content part object.`, param, 'invalid_value');
  const str = (field: string) => (typeof part[field] === 'string' && part[field] !== '' ? (part[field] as string) : undefined);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      if (typeof part.text !== 'string') throw new DialectError(`Invalid value for '${param}.text': expected a string.`, `${param}.text`, 'invalid_value');
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: typeof part.refusal === 'string' ? part.refusal : '' };
    case 'input_image': {
      if (role !== 'user') throw new DialectError('Image content parts are only allowed in user messages.', `${param}.type`, 'unsupported_content_type');
      const url = str('image_url');
      if (!url) {
        if (str('file_id')) throw new DialectError("'file_id' refers to OpenAI's Files API, which the ChatGPT upstream does not have. Send the image as 'image_url'.", `${param}.file_id`, 'unsupported_parameter');
        throw new DialectError(`Missing required parameter: '${param}.image_url'.`, `${param}.image_url`, 'missing_required_parameter');
      }
      const detail = part.detail;
      if (detail !== undefined && detail !== null && detail !== 'auto' && detail !== 'low' && detail !== 'high') {
        throw new DialectError(`Invalid value for '${param}.detail': expected one of auto, low, high.`, `${param}.detail`, 'invalid_value');
      }
      return { type: 'image_url', image_url: { url, ...(typeof detail === 'string' ? { detail } : {}) } };
    }
    case 'input_file': {
      if (role !== 'user') throw new DialectError('File content parts are only allowed in user messages.', `${param}.type`, 'unsupported_content_type');
      const data = str('file_data');
      if (!data) {
        if (str('file_id')) throw new DialectError("'file_id' refers to OpenAI's Files API, which the ChatGPT upstream does not have. Send the bytes as 'file_data'.", `${param}.file_id`, 'unsupported_parameter');
        if (str('file_url')) throw new DialectError("'file_url' is not supported by the ChatGPT upstream. Send the bytes as 'file_data'.", `${param}.file_url`, 'unsupported_parameter');
        throw new DialectError(`Missing required parameter: '${param}.file_data'.`, `${param}.file_data`, 'missing_required_parameter');
      }
      const filename = str('filename');
      return { type: 'file', file: { file_data: data, ...(filename ? { filename } : {}) } };
    }
    default:
      throw new DialectError(`Content parts of type '${String(part.type)}' are not supported by the ChatGPT upstream.`, `${param}.type`, 'unsupported_content_type');
  }
}
