import type { BusError } from '../common/openai-error.js';
import { failureOf, type Envelope, type FailureDetails } from './failure.js';

/**
 * The conversation family: the conversation service's own answers about what it keeps and opens —
 * conversation records, the management calls on the account holding a conversation, generated-file
 * links. A management call reaches the upstream as the account holding the conversation, whose
 * refusal is the gateway's problem rather than the caller's: those are `server_error`s, unlike the
 * same codes on a chat attempt.
 */
export const CONVERSATION_FAILURE_CODES = [
  'conversation_not_found',
  'records_unavailable',
  'conversation_account_unavailable',
  'not_found',
  'upstream_unauthorized',
  'upstream_blocked',
  'rate_limit_exceeded',
  'upstream_rejected',
  'upstream_error',
  'file_link_not_found',
  'file_link_expired',
  'file_too_large',
  'missing_api_key',
  'response_not_found',
  'previous_response_not_found',
] as const;
export type ConversationFailureCode = (typeof CONVERSATION_FAILURE_CODES)[number];

export const CONVERSATION_FAILURES = {
  conversation_not_found: { status: 404, type: 'invalid_request_error' },
  records_unavailable: { status: 503, type: 'server_error' },
  conversation_account_unavailable: { status: 503, type: 'server_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  upstream_unauthorized: { status: 502, type: 'server_error' },
  upstream_blocked: { status: 502, type: 'server_error' },
  rate_limit_exceeded: { status: 429, type: 'requests' },
  upstream_rejected: { status: 400, type: 'invalid_request_error' },
  upstream_error: { status: 502, type: 'server_error' },
  file_link_not_found: { status: 404, type: 'invalid_request_error' },
  file_link_expired: { status: 403, type: 'invalid_request_error' },
  file_too_large: { status: 502, type: 'server_error' },
  missing_api_key: { status: 401, type: 'invalid_request_error' },
  response_not_found: { status: 404, type: 'invalid_request_error' },
  previous_response_not_found: { status: 404, type: 'invalid_request_error' },
} as const satisfies Record<ConversationFailureCode, Envelope>;

export const conversationFailure = (code: ConversationFailureCode, message: string, details?: FailureDetails): BusError => failureOf(CONVERSATION_FAILURES, code, message, details);

export const conversationNotFound = (id: string) => conversationFailure('conversation_not_found', `No conversation found with id '${id}'.`);

export const recordsUnavailable = () => conversationFailure('records_unavailable', 'Conversation records are unavailable; try again shortly.');

/** A generated file larger than the worker downloads (FILE_DOWNLOAD_MAX_BYTES). */
export const fileTooLarge = (maxBytes: number) => conversationFailure('file_too_large', `The file is larger than ${maxBytes} bytes, the most chatgate downloads (FILE_DOWNLOAD_MAX_BYTES).`);

/** One answer for a forged link and for someone else's: a link either works or does not exist. */
export const fileLinkNotFound = () => conversationFailure('file_link_not_found', 'No such file link.');

/**
 * A stored response the caller may not see is answered exactly as one that never existed (another
 * user's or tenant's id, an expired or deleted one, one made with `store: false`).
 */
export const responseNotFound = (id: string) => conversationFailure('response_not_found', `Response with id '${id}' not found.`);

export const previousResponseNotFound = (id: string) =>
  conversationFailure('previous_response_not_found', `Previous response with id '${id}' not found.`, { param: 'previous_response_id' });
