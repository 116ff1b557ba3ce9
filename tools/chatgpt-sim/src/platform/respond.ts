// Answers of the platform API: OpenAI's error envelope, its exact failure bodies, and SSE writing.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { ApiKeyBehaviour } from './keys.js';

export class PlatformError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendPlatformError(res: ServerResponse, err: PlatformError): void {
  sendJson(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } }, err.headers);
}

export const invalid = (message: string, param: string | null = null, code: string | null = null) => new PlatformError(400, message, 'invalid_request_error', param, code);

/** The answer an injected behaviour gives, as OpenAI words it. */
export function injected(b: ApiKeyBehaviour, key: string, model: string): PlatformError {
  switch (b.fail) {
    case '401':
      return new PlatformError(401, `Incorrect API key provided: ${key.slice(0, 3)}*****${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key');
    case 'missing_scope':
      return new PlatformError(
        401,
        "You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.",
        'invalid_request_error',
      );
    case '429': {
      const retryAfter = b.retryAfter === undefined ? 20 : b.retryAfter;
      const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': String(retryAfter) };
      return new PlatformError(429, `Rate limit reached for ${model || 'requests'} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again later.`, 'requests', null, 'rate_limit_exceeded', headers);
    }
    case '500':
      return new PlatformError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
  }
}

export const PLATFORM_SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' } as const;

export function sseData(res: ServerResponse, value: unknown): void {
  res.write(`data: ${JSON.stringify(value)}\n\n`);
}

export function sseDone(res: ServerResponse): void {
  res.end('data: [DONE]\n\n');
}
