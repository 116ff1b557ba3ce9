import {
  accountRateLimited,
  challengePage,
  modelNotFound,
  tokenRefused,
  upstreamBadRequest,
  upstreamRefused,
  upstreamStatusFailed,
  upstreamStreamCut,
  upstreamTimeout,
  upstreamUnexpectedStatus,
  upstreamUnreachable,
  type BusError,
} from '@chatgate/contracts';

/** HTML challenge pages (Cloudflare) are reported, never retried in a loop (reference, intro). */
export function isChallengePage(body: string): boolean {
  return body.includes('cf_chl_opt') || body.includes('cf-please-wait');
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

/**
 * A ChatGPT backend HTTP failure before the first byte (reference §7), in the client's terms: the
 * one mapping of the conversation workers and the voice service. The messages never echo
 * credentials or the raw HTML. A 4xx the account cannot help (a field, voice or conversation the
 * upstream does not know) is `upstream_bad_request`: another account would fare no better.
 */
export function chatgptHttpFailure(status: number, body: string, retryAfterHeader?: string): BusError {
  if (isChallengePage(body)) return challengePage();
  const detail = detailOf(body);
  if (status === 401) return tokenRefused();
  if (status === 403) return upstreamRefused(detail.message);
  if (status === 404 && detail.code === 'model_not_found') return modelNotFound(detail.message);
  if (status === 429) {
    const retry = detail.clearsIn ?? (retryAfterHeader ? Number.parseInt(retryAfterHeader, 10) : undefined);
    return accountRateLimited(retry !== undefined && Number.isFinite(retry) ? Math.max(0, Math.ceil(retry)) : undefined);
  }
  if (status >= 500) return upstreamStatusFailed(status);
  if (status >= 400) return upstreamBadRequest(status, detail.message);
  return upstreamUnexpectedStatus(status);
}

/**
 * What an exception from undici means: a timeout, a connection that broke after the answer (`what`:
 * `the reply`, `the audio`) began, or no connection at all.
 */
export function transportFailure(err: unknown, responded: boolean, what?: string): BusError {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return upstreamTimeout();
  if (responded) return upstreamStreamCut(what);
  return upstreamUnreachable(code || (err instanceof Error ? err.message : 'unknown error'));
}
