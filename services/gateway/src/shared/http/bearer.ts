import { missingApiKey } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';
import { headerValue } from './request-input.js';

/** The credential in `Authorization: Bearer <credential>`; a missing or empty one is a 401, as at OpenAI. */
export function bearerFrom(header: string | string[] | undefined): string {
  const value = headerValue(header);
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  if (!match || !match[1].trim()) {
    throw ApiError.fromBus(missingApiKey());
  }
  return match[1].trim();
}
