// Errors of the Responses API core, shared by the Codex backend and the platform's /v1/responses:
// both answer them in OpenAI's envelope `{error: {message, type, param, code}}`.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

export class ResponsesApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }

  envelope(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) => new ResponsesApiError(400, message, param, code);

export function sendResponsesError(res: ServerResponse, err: ResponsesApiError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, err.envelope(), headers);
}
