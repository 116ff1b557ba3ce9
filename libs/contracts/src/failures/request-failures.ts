import type { BusError } from '../common/openai-error.js';
import { failureOf, type Envelope, type FailureDetails } from './failure.js';

/**
 * The request family: the client's request refused as it stands (by the gateway, or by a worker
 * once it reads the inputs). Retrying it unchanged fails the same way; nothing upstream was asked.
 */
export const REQUEST_FAILURE_CODES = [
  'invalid_json',
  'invalid_body',
  'invalid_request',
  'invalid_value',
  'missing_required_parameter',
  'unsupported_parameter',
  'unsupported_value',
  'unsupported_content_type',
  'unsupported_media_type',
  'unknown_url',
  'invalid_url',
  'url_too_long',
  'request_timeout',
  'headers_too_large',
  'path_refused',
  'model_not_supported',
  'platform_unavailable',
  'model_not_found',
  'too_many_files',
  'file_too_large',
  'invalid_image_format',
  'invalid_image_url',
  'invalid_file_data',
  'invalid_attachment_url',
  'inputs_too_large',
  'request_too_large',
  'import_too_large',
] as const;
export type RequestFailureCode = (typeof REQUEST_FAILURE_CODES)[number];

const BAD_REQUEST = { status: 400, type: 'invalid_request_error' } as const;

export const REQUEST_FAILURES = {
  invalid_json: BAD_REQUEST,
  invalid_body: BAD_REQUEST,
  invalid_request: BAD_REQUEST,
  invalid_value: BAD_REQUEST,
  missing_required_parameter: BAD_REQUEST,
  unsupported_parameter: BAD_REQUEST,
  unsupported_value: BAD_REQUEST,
  unsupported_content_type: BAD_REQUEST,
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  unknown_url: { status: 404, type: 'invalid_request_error' },
  invalid_url: BAD_REQUEST,
  url_too_long: { status: 414, type: 'invalid_request_error' },
  request_timeout: { status: 408, type: 'invalid_request_error' },
  headers_too_large: { status: 431, type: 'invalid_request_error' },
  path_refused: { status: 403, type: 'invalid_request_error' },
  model_not_supported: BAD_REQUEST,
  platform_unavailable: { status: 403, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  too_many_files: BAD_REQUEST,
  file_too_large: BAD_REQUEST,
  invalid_image_format: BAD_REQUEST,
  invalid_image_url: BAD_REQUEST,
  invalid_file_data: BAD_REQUEST,
  invalid_attachment_url: BAD_REQUEST,
  inputs_too_large: { status: 413, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  import_too_large: BAD_REQUEST,
} as const satisfies Record<RequestFailureCode, Envelope>;

export const requestFailure = (code: RequestFailureCode, message: string, details?: FailureDetails): BusError => failureOf(REQUEST_FAILURES, code, message, details);

// The texts more than one place answers with, each written once.

export const notAnObject = () => requestFailure('invalid_body', 'The request body must be a JSON object.');

export const invalidJson = () => requestFailure('invalid_json', 'We could not parse the JSON body of your request. Send valid JSON.');

export const bodyTooLarge = () => requestFailure('request_too_large', 'Request body is too large.');

export const unsupportedMediaType = () => requestFailure('unsupported_media_type', 'Content-Type must be application/json.');

export const unknownUrl = (message = 'Unknown request URL. Please check the URL and method.') => requestFailure('unknown_url', message);

/** A URL the router cannot read (a broken percent escape). */
export const invalidUrl = () => requestFailure('invalid_url', 'The request URL is not valid: check its percent escapes.');

export const urlTooLong = () => requestFailure('url_too_long', 'The request URL is too long.');

/** A request (headers and body) that took longer than REQUEST_TIMEOUT_MS to arrive. */
export const requestTimeout = () => requestFailure('request_timeout', 'The request took too long to arrive; the connection is closed.');

/** JSON nested deeper than any request of the API needs: refused before it is parsed. */
export const nestedTooDeeply = (maxDepth: number) => requestFailure('invalid_body', `The JSON body is nested more than ${maxDepth} levels deep.`);

export const missingParameter = (param: string) => requestFailure('missing_required_parameter', `Missing required parameter: '${param}'.`, { param });

/** `detail` ends as the caller wants it (a schema's message has no final stop). */
export const invalidValue = (param: string, detail: string) => requestFailure('invalid_value', `Invalid value for '${param}': ${detail}`, { param });

/** An endpoint asked for a model the tenant's routing table sends to a kind of account that does not serve it. */
export const modelNotSupported = (model: string, routedTo: string, endpoint: string, servedBy: string) =>
  requestFailure(
    'model_not_supported',
    `The model '${model}' is routed to ${routedTo}, but ${endpoint} is served by ${servedBy} only. Ask an administrator to route this model there (/admin/v1/routes).`,
    { param: 'model' },
  );

/** The caller's own ChatGPT token has no tenant, and so none of a tenant's other accounts (API keys). */
export const upstreamUnavailableFor = (model: string, servedBy: string) =>
  requestFailure(
    'platform_unavailable',
    `The model '${model}' is served by ${servedBy}, which only a chatgate key or a pool code can use; a ChatGPT token reaches its own account only.`,
    { param: 'model' },
  );

/** An endpoint only a tenant's accounts serve, asked with a caller's own ChatGPT token (which routing cannot change). */
export const endpointUnavailableFor = (endpoint: string, servedBy: string) =>
  requestFailure(
    'platform_unavailable',
    `${endpoint} is served by ${servedBy} only, and a ChatGPT token reaches its own ChatGPT account only. Use a chatgate key (or pool code) of a tenant that has them.`,
  );

/** What one request may load in images and files in all (UPLOAD_JOB_MAX_BYTES). */
export const inputsTooLarge = (maxBytes: number) =>
  requestFailure('inputs_too_large', `The request's images and files come to more than ${maxBytes} bytes, the most one request may carry. Send fewer or smaller files.`, {
    param: 'messages',
  });
