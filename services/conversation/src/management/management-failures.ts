import { conversationFailure, conversationNotFound, tokenRefused, type BusError } from '@chatgate/contracts';

export { conversationNotFound };

export function conversationAccountUnavailable(): BusError {
  return conversationFailure('conversation_account_unavailable', 'The upstream account holding this conversation is not available right now. Try again later.');
}

export function upstreamUnreachableForManagement(): BusError {
  return conversationFailure('upstream_error', 'The upstream could not be reached.');
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
 * An upstream management answer that is not a success, in OpenAI's terms (the conversation family).
 * For a pool account the caller is not the account holder, so the account's own 401/403 is the
 * gateway's problem (502), not the caller's; a caller's own token hears its 401 as on any attempt.
 */
export function managementFailure(status: number, text: string, ownToken: boolean, conversationId: string | null): BusError {
  const detail = detailOf(text);
  if (status === 404) return conversationId ? conversationNotFound(conversationId) : conversationFailure('not_found', detail ?? 'Not found.');
  if (status === 401) return ownToken ? tokenRefused() : conversationFailure('upstream_unauthorized', 'The upstream refused the account holding this conversation.');
  if (status === 403) return conversationFailure('upstream_blocked', 'The upstream refused the request.');
  if (status === 429) return conversationFailure('rate_limit_exceeded', 'The upstream is rate limiting this account; try again later.');
  if (status >= 400 && status < 500) return conversationFailure('upstream_rejected', detail ?? `The upstream rejected the request (${status}).`);
  return conversationFailure('upstream_error', `The upstream answered ${status}.`);
}
