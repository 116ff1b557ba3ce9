import type { ChatJob, ChatMessage, Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { toContentPart } from './content-parts.js';
import { parseRequestBody } from '../shared/http/request-input.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-completion-request.schema.js';

/** Parses the body against OpenAI's schema; the first problem becomes a 400 naming the field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  return parseRequestBody(chatCompletionRequestSchema, body);
}

/**
 * What the caller can do about a feature the ChatGPT upstream lacks: a tenant's model can be routed
 * to its API keys or Codex accounts; a caller's own ChatGPT token reaches its own account only.
 */
export function wayOutFor(principal: Principal): string {
  return principal.upstream.kind === 'chatgpt_access_token'
    ? 'A ChatGPT token reaches its own ChatGPT account only: use a chatgate key whose tenant routes this model to API keys or Codex accounts.'
    : 'Route this model to API keys or Codex accounts (/admin/v1/routes) to use it.';
}

function unsupportedOn(principal: Principal): (param: string, what: string) => ApiError {
  return (param, what) => ApiError.invalidRequest(`${what} is not supported by the ChatGPT upstream. ${wayOutFor(principal)}`, param, 'unsupported_parameter');
}

function toMessage(message: ChatCompletionRequest['messages'][number], index: number, unsupported: ReturnType<typeof unsupportedOn>): ChatMessage {
  if (message.role === 'tool' || message.role === 'function') {
    throw unsupported(`messages[${index}].role`, `The '${message.role}' role`);
  }
  const content = message.content ?? '';
  if (typeof content === 'string') return { role: message.role, content };
  return {
    role: message.role,
    content: content.map((part, p) => toContentPart(part, message.role, `messages[${index}].content[${p}]`)),
  };
}

export interface JobDefaults {
  historyDisabled: boolean;
}

/** The OpenAI request, checked for what this upstream cannot do, as the worker's job. */
export function toChatJob(req: ChatCompletionRequest, principal: Principal, requestId: string, defaults: JobDefaults): ChatJob {
  const unsupported = unsupportedOn(principal);
  if (req.n != null && req.n > 1) throw unsupported('n', 'Asking for more than one choice (n > 1)');
  if (req.tools?.length) throw unsupported('tools', 'Tool calling');
  if (req.functions?.length) throw unsupported('functions', 'Function calling');
  if (req.response_format && req.response_format.type !== 'text') throw unsupported('response_format', `response_format '${req.response_format.type}'`);
  // The upstream shows no token probabilities: refused rather than answered with `logprobs: null`.
  if (req.logprobs === true) throw unsupported('logprobs', 'Token log probabilities (logprobs)');
  if (req.top_logprobs != null && req.top_logprobs > 0) throw unsupported('top_logprobs', 'Token log probabilities (top_logprobs)');
  const stop = (typeof req.stop === 'string' ? [req.stop] : (req.stop ?? [])).filter((s) => s !== '');

  return {
    requestId,
    model: req.model,
    messages: req.messages.map((m, i) => toMessage(m, i, unsupported)),
    stream: req.stream === true,
    maxTokens: req.max_completion_tokens ?? req.max_tokens ?? undefined,
    ...(stop.length ? { stop } : {}),
    reasoningEffort: req.reasoning_effort ?? undefined,
    conversationId: req.conversation_id ?? undefined,
    parentMessageId: req.parent_message_id ?? undefined,
    historyDisabled: req.hatd ?? req.history_disabled ?? defaults.historyDisabled,
    upstream: principal.upstream,
    tenantId: principal.tenantId,
    credentialId: principal.credentialId,
    userId: principal.userId,
    userName: principal.userName,
    isolatedSession: principal.isolatedSession,
  };
}
