import { createHash } from 'node:crypto';

/** One row per key in a tenant, found by a fingerprint: the key itself is only ever stored sealed. */
export function apiKeyIdentity(key: string): string {
  return `api_key|${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
