import { CLIENT_LABEL_MAX, oneLineProblem, textProblem, type ChatContentPart, type RequestFailureCode } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';

/** One content part as the client sent it (loosely parsed: unknown fields tolerated). */
type RawPart = { type: string } & Record<string, unknown>;

const DETAILS = new Set(['auto', 'low', 'high']);

function invalid(param: string, message: string, code: RequestFailureCode = 'invalid_value'): ApiError {
  return ApiError.invalidRequest(message, param, code);
}

/** The contracts' text rules (client-text.ts) as this module's 400. */
function refuseProblem(param: string, problem: string | null): void {
  if (problem) throw invalid(param, `Invalid value for '${param}': ${problem}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * OpenAI's content parts in the job's terms: text, `image_url` ({url, detail}) and `file`
 * ({file_data, filename}). The bytes themselves are fetched or decoded by the worker, which owns
 * the upload flow; here only the shape is checked, so a malformed part is a 400 before any work.
 * Images and files belong to user messages (OpenAI accepts them nowhere else).
 */
export function toContentPart(part: RawPart, role: string, param: string): ChatContentPart {
  switch (part.type) {
    case 'text':
      if (typeof part.text !== 'string') throw invalid(`${param}.text`, `Invalid value for '${param}.text': expected a string.`);
      refuseProblem(`${param}.text`, textProblem(part.text));
      return { type: 'text', text: part.text };
    case 'image_url': {
      if (role !== 'user') throw invalid(`${param}.type`, `Image content parts are only allowed in user messages.`, 'unsupported_content_type');
      const image = part.image_url;
      // A few clients send the URL as a bare string; OpenAI documents an object.
      const url = typeof image === 'string' ? image : isObject(image) ? image.url : undefined;
      if (typeof url !== 'string' || url === '') throw invalid(`${param}.image_url.url`, `Missing required parameter: '${param}.image_url.url'.`, 'missing_required_parameter');
      const detail = isObject(image) ? image.detail : undefined;
      if (detail !== undefined && detail !== null && (typeof detail !== 'string' || !DETAILS.has(detail))) {
        throw invalid(`${param}.image_url.detail`, `Invalid value for '${param}.image_url.detail': expected one of auto, low, high.`);
      }
      return { type: 'image_url', image_url: { url, ...(typeof detail === 'string' ? { detail: detail as 'auto' | 'low' | 'high' } : {}) } };
    }
    case 'file': {
      if (role !== 'user') throw invalid(`${param}.type`, `File content parts are only allowed in user messages.`, 'unsupported_content_type');
      const file = part.file;
      if (!isObject(file)) throw invalid(`${param}.file`, `Missing required parameter: '${param}.file'.`, 'missing_required_parameter');
      if (file.file_data == null && typeof file.file_id === 'string') {
        throw invalid(`${param}.file.file_id`, `'file_id' refers to OpenAI's Files API, which the ChatGPT upstream does not have. Send the bytes as 'file_data'.`, 'unsupported_parameter');
      }
      if (typeof file.file_data !== 'string' || file.file_data === '') {
        throw invalid(`${param}.file.file_data`, `Missing required parameter: '${param}.file.file_data'.`, 'missing_required_parameter');
      }
      if (file.filename != null && typeof file.filename !== 'string') throw invalid(`${param}.file.filename`, `Invalid value for '${param}.file.filename': expected a string.`);
      if (typeof file.filename === 'string') {
        // A filename is shown, logged and sent upstream as a name: one line, bounded.
        if (file.filename.length > CLIENT_LABEL_MAX) throw invalid(`${param}.file.filename`, `Invalid value for '${param}.file.filename': at most ${CLIENT_LABEL_MAX} characters.`);
        refuseProblem(`${param}.file.filename`, oneLineProblem(file.filename));
      }
      return { type: 'file', file: { file_data: file.file_data, ...(typeof file.filename === 'string' ? { filename: file.filename } : {}) } };
    }
    default:
      throw invalid(param, `Content parts of type '${part.type}' are not supported by the ChatGPT upstream.`, 'unsupported_content_type');
  }
}
