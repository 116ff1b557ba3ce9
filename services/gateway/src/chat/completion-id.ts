import { randomBytes } from 'node:crypto';

/** `chatcmpl-` and 29 url-safe characters, the shape OpenAI's ids have. */
export function newCompletionId(): string {
  return `chatcmpl-${randomBytes(22).toString('base64url').slice(0, 29)}`;
}
