import type { BusError } from '@chatgate/contracts';

function failure(status: number, code: string, message: string, type = 'invalid_request_error'): BusError {
  return { status, error: { message, type, param: null, code } };
}

export function conversationNotFound(id: string): BusError {
  return failure(404, 'conversation_not_found', `No conversation found with id '${id}'.`);
}

export function conversationAccountUnavailable(): BusError {
  return failure(503, 'conversation_account_unavailable', 'The upstream account holding this conversation is not available right now. Try again later.', 'server_error');
}

export function upstreamUnreachableForManagement(): BusError {
  return failure(502, 'upstream_error', 'The upstream could not be reached.', 'server_error');
}

function detailOf(text: string): string | null {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail.slice(0, 300);
    if (detail && typeof detail === 'object' && typeof (detail as { message?: unknown }).message === 'string') return (detail as { message: string }).message.slice(0, 300);
  } catch {
    // not JSON: a page, said nothing usable
  }
  return null;
}

/**
 * An upstream management answer that is not a success, in OpenAI's terms. For a pool account the
 * caller is not the account holder, so the account's own 401/403 is the gateway's problem (502),
 * not the caller's; a caller's own token hears its 401 as it is.
 */
export function managementFailure(status: number, text: string, ownToken: boolean, conversationId: string | null): BusError {
  const detail = detailOf(text);
  if (status === 404) return conversationId ? conversationNotFound(conversationId) : failure(404, 'not_found', detail ?? 'Not found.');
  if (status === 401) return ownToken ? failure(401, 'upstream_unauthorized', 'The upstream refused your ChatGPT token (expired or revoked).') : failure(502, 'upstream_unauthorized', 'The upstream refused the account holding this conversation.', 'server_error');
  if (status === 403) return failure(502, 'upstream_blocked', 'The upstream refused the request.', 'server_error');
  if (status === 429) return failure(429, 'rate_limit_exceeded', 'The upstream is rate limiting this account; try again later.', 'requests');
  if (status >= 400 && status < 500) return failure(400, 'upstream_rejected', detail ?? `The upstream rejected the request (${status}).`);
  return failure(502, 'upstream_error', `The upstream answered ${status}.`, 'server_error');
}
