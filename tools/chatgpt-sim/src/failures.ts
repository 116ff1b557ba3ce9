// HTTP-level failures, with the bodies upstream answers. Stream-level kinds (stall, cut,
// stream_error, moderation) happen mid-stream and live in stream.ts and the encoders.
import type { ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import type { FailKind } from './types.js';

export type HttpFailKind = Extract<FailKind, '401' | '403' | '404' | '429' | '500' | 'cloudflare'>;

export function isHttpFailKind(kind: FailKind): kind is HttpFailKind {
  return (
    kind === '401' || kind === '403' || kind === '404' || kind === '429' || kind === '500' || kind === 'cloudflare'
  );
}

export function sendAuthError(res: ServerResponse, code: 'invalid_jwt' | 'token_expired'): void {
  sendJson(res, 401, {
    detail: {
      message: 'Could not parse your authentication token. Please try signing in again.',
      type: 'invalid_request_error',
      param: null,
      code,
    },
  });
}

export function sendModelNotFound(res: ServerResponse, model: string): void {
  sendJson(res, 404, { detail: { code: 'model_not_found', message: `Model ${model} not found` } });
}

// What a Cloudflare managed challenge looks like to a client without a browser.
const CLOUDFLARE_PAGE = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>
<div id="cf-please-wait"><div id="spinner"></div><p data-translate="please_wait">Please stand by, while we are checking your browser...</p></div>
</div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "chatgpt.com",cType: 'managed',cRay: '8f00000000000000',cH: 'sim'};}());</script>
</body></html>`;

export function sendFailure(
  res: ServerResponse,
  kind: HttpFailKind,
  context: { model: string; clearsIn?: number },
): void {
  switch (kind) {
    case '401':
      sendAuthError(res, 'token_expired');
      return;
    case '403':
      sendJson(res, 403, { detail: 'Unusual activity has been detected from your device. Try again later.' });
      return;
    case '404':
      sendModelNotFound(res, context.model);
      return;
    case '429': {
      const clearsIn = context.clearsIn ?? 60;
      sendJson(
        res,
        429,
        { detail: { message: "You've reached our limit of messages per hour. Please try again later.", clears_in: clearsIn } },
        { 'retry-after': String(clearsIn) },
      );
      return;
    }
    case '500':
      sendJson(res, 500, { detail: 'Internal server error' });
      return;
    case 'cloudflare':
      res.writeHead(403, {
        'content-type': 'text/html; charset=UTF-8',
        'content-length': Buffer.byteLength(CLOUDFLARE_PAGE),
        'cf-mitigated': 'challenge',
        server: 'cloudflare',
      });
      res.end(CLOUDFLARE_PAGE);
      return;
  }
}
