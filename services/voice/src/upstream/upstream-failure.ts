// The upstream failures of reference §7 in the client's terms. The same mapping as the
// conversation service's upstream-errors.ts (a service may not import another): to be moved into a lib.
import type { BusError } from '@chatgate/contracts';

function error(status: number, message: string, code: string, type = 'upstream_error', retryAfterSec?: number): BusError {
  return { status, error: { message, type, param: null, code }, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) };
}

function detailOf(body: string): { message?: string; code?: string; clearsIn?: number } {
  try {
    const detail = (JSON.parse(body) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return { message: detail };
    if (detail && typeof detail === 'object') {
      const d = detail as { message?: unknown; code?: unknown; clears_in?: unknown };
      return {
        message: typeof d.message === 'string' ? d.message : undefined,
        code: typeof d.code === 'string' ? d.code : undefined,
        clearsIn: typeof d.clears_in === 'number' ? d.clears_in : undefined,
      };
    }
  } catch {
    // not JSON: the status alone decides
  }
  return {};
}

/** An upstream HTTP failure before the first byte. Messages never echo credentials or raw HTML. */
export function mapUpstreamFailure(status: number, body: string, retryAfterHeader?: string): BusError {
  if (body.includes('cf_chl_opt') || body.includes('cf-please-wait')) {
    return error(502, 'The upstream answered with an anti-bot challenge page; chatgate does not solve challenges.', 'upstream_blocked');
  }
  const detail = detailOf(body);
  switch (true) {
    case status === 401:
      return error(401, 'The upstream rejected the ChatGPT access token (expired or revoked).', 'upstream_unauthorized', 'invalid_request_error');
    case status === 403:
      return error(502, `The upstream refused the request${detail.message ? `: ${detail.message}` : '.'}`, 'upstream_blocked');
    case status === 404 && detail.code === 'model_not_found':
      return error(404, detail.message ?? 'The model does not exist for this account.', 'model_not_found', 'invalid_request_error');
    case status === 429: {
      const retry = detail.clearsIn ?? (retryAfterHeader ? Number.parseInt(retryAfterHeader, 10) : undefined);
      const retryAfterSec = retry !== undefined && Number.isFinite(retry) ? Math.max(0, Math.ceil(retry)) : undefined;
      const when = retryAfterSec !== undefined ? ` Try again in ${retryAfterSec} seconds.` : '';
      return error(429, `The upstream account reached its limit.${when}`, 'rate_limit_exceeded', 'rate_limit_error', retryAfterSec);
    }
    case status >= 500:
      return error(502, `The upstream failed with status ${status}.`, 'upstream_error');
    case status === 400 || status === 404:
      // The upstream refused what it was asked (a voice or message it does not know): another account would fare no better.
      return error(502, `The upstream refused the voice request (${status}${detail.message ? `: ${detail.message}` : ''}).`, 'upstream_bad_request');
    default:
      return error(502, `The upstream answered with unexpected status ${status}.`, 'upstream_error');
  }
}

export function upstreamUnreachable(reason: string): BusError {
  return error(502, `The upstream could not be reached (${reason}).`, 'upstream_unavailable');
}

export function upstreamTimeout(): BusError {
  return error(504, 'The upstream did not answer in time.', 'upstream_timeout');
}

export function upstreamStreamCut(what: string): BusError {
  return error(502, `The upstream closed ${what} before it was complete.`, 'upstream_stream_cut');
}

export function upstreamStreamError(message: string, code: string | null): BusError {
  if (code === 'rate_limit_exceeded' || code === 'model_cap_exceeded') {
    return error(429, `The upstream account reached its limit: ${message}`, code, 'rate_limit_error');
  }
  return error(502, `The upstream reported an error: ${message}`, code ?? 'upstream_error');
}

export function upstreamMalformed(what: string): BusError {
  return error(502, `The upstream answered ${what} in a shape chatgate does not understand.`, 'upstream_error');
}

/** What an exception from undici means: a timeout, a connection that broke after the answer began, or no connection at all. */
export function failureOf(err: unknown, responded: boolean, what: string): BusError {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return upstreamTimeout();
  if (responded) return upstreamStreamCut(what);
  return upstreamUnreachable(code || (err instanceof Error ? err.message : 'unknown error'));
}
