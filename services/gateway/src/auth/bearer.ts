import { ApiError } from '../errors/api-error.js';

/** The credential in `Authorization: Bearer <credential>`; a missing or empty one is a 401, as at OpenAI. */
export function bearerFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(.+)$/i.exec(value.trim()) : null;
  if (!match || !match[1].trim()) {
    throw ApiError.unauthorized(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'missing_api_key',
    );
  }
  return match[1].trim();
}
