import { describe, it, expect } from '@jest/globals';
import { outcomeOf } from '@chatgate/contracts';
import { chatgptHttpFailure as mapUpstreamFailure, transportFailure } from './upstream-failures.js';

describe('mapUpstreamFailure', () => {
  it('maps a Cloudflare page to upstream_blocked without echoing the HTML', () => {
    const e = mapUpstreamFailure(403, '<html><script>window._cf_chl_opt={}</script></html>');
    expect(e.status).toBe(502);
    expect(e.error.code).toBe('upstream_blocked');
    expect(e.error.message).not.toContain('<html>');
  });

  it('maps 429 with clears_in to a retry hint', () => {
    const e = mapUpstreamFailure(429, JSON.stringify({ detail: { message: 'limit', clears_in: 42.2 } }));
    expect(e).toMatchObject({ status: 429, retryAfterSec: 43, error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' } });
    expect(e.error.message).toContain('43 seconds');
  });

  it('maps 429 without a body through retry-after', () => {
    expect(mapUpstreamFailure(429, 'Too many', '7').retryAfterSec).toBe(7);
  });

  it('maps 404 model_not_found, 401, 403 and 5xx', () => {
    expect(mapUpstreamFailure(404, JSON.stringify({ detail: { code: 'model_not_found', message: 'Model x not found' } }))).toMatchObject({ status: 404, error: { code: 'model_not_found' } });
    expect(mapUpstreamFailure(401, '{}').status).toBe(401);
    expect(mapUpstreamFailure(403, JSON.stringify({ detail: 'Unusual activity has been detected' })).error.code).toBe('upstream_blocked');
    expect(mapUpstreamFailure(503, 'oops')).toMatchObject({ status: 502, error: { code: 'upstream_error' } });
  });

  it('answers a 4xx the account cannot help with upstream_bad_request, which does not rotate', () => {
    for (const status of [400, 404, 422]) {
      const e = mapUpstreamFailure(status, JSON.stringify({ detail: 'Unknown voice' }));
      expect(e).toMatchObject({ status: 502, error: { code: 'upstream_bad_request', message: `The upstream refused the request (${status}: Unknown voice).` } });
      expect(outcomeOf(e)).toBeNull();
    }
    expect(outcomeOf(mapUpstreamFailure(503, ''))).toBe('upstream_error');
  });
});

describe('transportFailure', () => {
  it('tells a timeout from a broken answer from no connection, naming only the error code', () => {
    expect(transportFailure(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), false)).toMatchObject({ status: 504, error: { code: 'upstream_timeout' } });
    expect(transportFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }), true)).toMatchObject({ status: 502, error: { code: 'upstream_stream_cut' } });
    expect(transportFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), false)).toMatchObject({ status: 502, error: { code: 'upstream_unavailable', message: 'The upstream could not be reached (ECONNREFUSED).' } });
  });
});
