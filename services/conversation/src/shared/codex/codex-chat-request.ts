import { requestFailure, type BusError, type RequestFailureCode } from '@chatgate/contracts';
import { derivedUuid } from './codex-headers.js';
import { chatToResponsesRequest, codexRequestRules, DialectError, type JsonObject, type ResponsesRequestBody } from '@chatgate/protocol';

/**
 * Choices one chat request may ask for on Codex accounts: each is its own upstream request (the
 * Responses API has no `n`), spending the account's usage that many times.
 */
export const CODEX_MAX_CHOICES = 8;

/** A chat completions request made ready for the Codex backend, and what chatgate does itself around it. */
export interface CodexChatPlan {
  /** The model as the client named it (what the backend is asked for, what limits and usage count). */
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: the extra usage chunk before `[DONE]`. */
  includeUsage: boolean;
  /** `n`: one upstream request per choice. */
  choices: number;
  /** Cut locally (the Responses API has no `stop`). */
  stop: string[];
  /** `max_completion_tokens`/`max_tokens`, cut locally (the backend refuses the field). */
  maxTokens: number | undefined;
  /** The Responses body as the backend takes it (`codexRequestRules` applied). */
  body: ResponsesRequestBody;
  /**
   * The conversation's id for the backend (`session_id`, and `prompt_cache_key` unless the client sent
   * one): derived from the caller and the conversation's start, so its later turns share the backend's cache.
   */
  sessionId: string;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A DialectError's 400 in the request family (the codes are the same words OpenAI uses). */
export function dialectFailure(err: DialectError): BusError {
  return requestFailure(err.code satisfies RequestFailureCode, err.message, { param: err.param });
}

/**
 * Translates a chat completions request for the Codex backend (reference §4.2, §1.4): the chat → Responses
 * mapping (`chatToResponsesRequest`, reasoning summaries always asked so `reasoning_content` fills), then
 * the backend's body rules (`codexRequestRules`). Whatever neither the backend nor chatgate can do is a
 * 400 naming the field (log probabilities, penalties, a seed, a temperature other than 1, audio…); what
 * chatgate does locally (`stop`, `max_tokens`, `n`) is taken out into the plan. `scope` (the tenant and
 * credential) keeps one caller's conversation ids apart from another's.
 */
export function planCodexChat(chat: JsonObject, scope: string): { ok: true; plan: CodexChatPlan } | { ok: false; failure: BusError } {
  let translated;
  try {
    translated = chatToResponsesRequest(chat, { reasoningSummary: 'auto' });
  } catch (err) {
    if (err instanceof DialectError) return { ok: false, failure: dialectFailure(err) };
    throw err;
  }
  const [unsupported] = translated.unsupported;
  if (unsupported) return { ok: false, failure: requestFailure('unsupported_parameter', unsupported.reason, { param: unsupported.param }) };

  const { choices } = translated;
  if (!Number.isInteger(choices) || choices < 1 || choices > CODEX_MAX_CHOICES) {
    return { ok: false, failure: requestFailure('invalid_value', `Invalid value for 'n': Codex accounts answer 1 to ${CODEX_MAX_CHOICES} choices per request.`, { param: 'n' }) };
  }
  const options = chat.stream_options;
  if (options != null && !isObject(options)) return { ok: false, failure: requestFailure('invalid_value', "Invalid value for 'stream_options': expected an object.", { param: 'stream_options' }) };

  const request = translated.request;
  const sessionId = derivedUuid(scope, request.instructions ?? '', JSON.stringify(request.input[0] ?? null));
  if (typeof request.prompt_cache_key !== 'string' || request.prompt_cache_key === '') request.prompt_cache_key = sessionId;
  const ruled = codexRequestRules(request);
  const [refused] = ruled.refused;
  if (refused) return { ok: false, failure: requestFailure('unsupported_value', refused.reason, { param: refused.param }) };
  const maxTokens = ruled.maxOutputTokens;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    const param = chat.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    return { ok: false, failure: requestFailure('invalid_value', `Invalid value for '${param}': expected an integer of at least 1.`, { param }) };
  }
  return {
    ok: true,
    plan: {
      model: request.model,
      stream: chat.stream === true,
      includeUsage: isObject(options) && options.include_usage === true,
      choices,
      stop: translated.stop,
      maxTokens,
      body: ruled.body,
      sessionId,
    },
  };
}
