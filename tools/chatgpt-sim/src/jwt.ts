// Minimal HS256 JWT: the simulator mints and checks its own tokens and must not share code
// with the gateway it tests, so this is written from scratch on node:crypto.
import { createHmac, timingSafeEqual } from 'node:crypto';

// Fixed header, serialised once: tokens then always start `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9`.
const HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export type JwtClaims = Record<string, unknown> & { exp?: number; iat?: number };

export type JwtCheck =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'malformed' | 'signature' };

function mac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export function signJwt(claims: JwtClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${HEADER_B64}.${body}`;
  return `${input}.${mac(secret, input).toString('base64url')}`;
}

/** Checks shape, header and signature. Expiry is the caller's business (it answers a different code). */
export function verifyJwt(token: string, secret: string): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER_B64) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, reason: 'malformed' };
    return { ok: true, claims: claims as JwtClaims };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
