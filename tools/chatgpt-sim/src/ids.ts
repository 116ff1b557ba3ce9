// Random identifiers and opaque credentials in the shapes upstream uses, so the gateway's
// credential sniffing (JWT vs `rt_` vs 45-char legacy vs long session) is exercised for real.
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function uuid(): string {
  return randomUUID();
}

/** base64url characters only: never a dot. */
export function randomB64url(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}

export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

export function newUserId(): string {
  return `user-${randomAlnum(24)}`;
}

export function newCurrentRefreshToken(): string {
  return `rt_${randomB64url(64)}`;
}

export function newLegacyRefreshToken(): string {
  return randomB64url(45);
}

// next-auth session tokens are JWEs: five parts, the second empty, long ciphertext. Dots but
// not a 3-part JWT, > 1000 characters.
const JWE_HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
export function newSessionToken(): string {
  return `${JWE_HEADER}..${randomB64url(16)}.${randomB64url(1100)}.${randomB64url(22)}`;
}
