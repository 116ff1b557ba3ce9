import { missingApiKey } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';

/** The credential in `Authorization: Bearer <credential>`; a missing or empty one is a 401, as at OpenAI. */
export function bearerFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(.+)$/i.exec(value.trim()) : null;
  if (!match || !match[1].trim()) {
    throw ApiError.fromBus(missingApiKey());
  }
  return match[1].trim();
}
