import type { BusError } from '@chatgate/contracts';

/** HTML challenge pages (Cloudflare) are reported, never retried in a loop (reference, intro). */
export function isChallengePage(body: string): boolean {
  return body.includes('cf_chl_opt') || body.includes('cf-please-wait');
}

function error(status: number, message: string, code: string, type = 'upstream_error', retryAfterSec?: number): BusError {
  return { status, error: { message, type, param: null, code }, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) };
}

function detailOf(body: string): { message?: string; code?: string; clearsIn?: number } {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown };
    const detail = parsed.detail;
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

/**
 * An upstream HTTP failure before the first byte, mapped per reference §7. The messages say what
 * happened upstream in the client's terms; they never echo credentials or the raw HTML.
 */
export function mapUpstreamFailure(status: number, body: string, retryAfterHeader?: string): BusError {
  if (isChallengePage(body)) {
    return error(502, 'The upstream answered with an anti-bot challenge page; chatgate does not solve challenges. Point CHATGPT_BASE_URL at an upstream that accepts direct conversation requests.', 'upstream_blocked');
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
      return error(429, `The upstream account reached its message limit for this model.${when}`, 'rate_limit_exceeded', 'rate_limit_error', retryAfterSec);
    }
    case status >= 500:
      return error(502, `The upstream failed with status ${status}.`, 'upstream_error');
    default:
      return error(502, `The upstream answered with unexpected status ${status}.`, 'upstream_error');
  }
}

export function upstreamUnreachable(reason: string): BusError {
  return error(502, `The upstream could not be reached (${reason}).`, 'upstream_unavailable');
}

/** No outbound proxy could carry the request. Names no proxy: their addresses are the operator's business. */
export function proxyUnreachable(configured: number, coolOffMs: number): BusError {
  return error(
    502,
    `No outbound proxy could carry the request to the upstream (${configured} configured in PROXY_URL_POOL/PROXY_URL; one that fails is tried again after ${Math.round(coolOffMs / 1000)} s). chatgate does not bypass configured proxies.`,
    'proxy_unreachable',
  );
}

export function upstreamTimeout(): BusError {
  return error(504, 'The upstream did not answer in time.', 'upstream_timeout');
}

export function upstreamStreamCut(): BusError {
  return error(502, 'The upstream closed the reply before it was complete.', 'upstream_stream_cut');
}

/** An error reported inside the stream (a document's error, or a top-level error string). */
export function upstreamStreamError(message: string, code: string | null): BusError {
  if (code === 'rate_limit_exceeded' || code === 'model_cap_exceeded') {
    return error(429, `The upstream account reached its limit for this model: ${message}`, code, 'rate_limit_error');
  }
  return error(502, `The upstream reported an error: ${message}`, code ?? 'upstream_error');
}

export function upstreamHandoff(): BusError {
  return error(502, 'This model handed the reply off to another transport, which only the ChatGPT web client can follow.', 'unsupported_handoff');
}
