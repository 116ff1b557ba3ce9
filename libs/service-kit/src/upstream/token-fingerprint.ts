import { createHash } from 'node:crypto';

/** The sha256 (hex) of an access token: names the token between services without carrying it. */
export function tokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex');
}
