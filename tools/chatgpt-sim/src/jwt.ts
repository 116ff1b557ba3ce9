// JWTs written from scratch on node:crypto: the simulator mints and checks its own tokens and must
// not share code with the gateway it tests. Access and id tokens are RS256 under a key the
// simulator publishes as a JWKS, as auth.openai.com does; LiveKit room tokens are HS256 under the
// simulator's secret, as LiveKit's are under an API secret.
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

// Fixed header, serialised once: room tokens then always start `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9`.
const HS256_HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export type JwtClaims = Record<string, unknown> & { exp?: number; iat?: number };

export type JwtCheck =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'malformed' | 'signature' };

/** One key of a JSON Web Key Set, in RFC 7517's shape. */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

function mac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

function parseClaims(payload: string): JwtCheck {
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, reason: 'malformed' };
    return { ok: true, claims: claims as JwtClaims };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** An HS256 token under `secret` (LiveKit room tokens). */
export function signJwt(claims: JwtClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${HS256_HEADER_B64}.${body}`;
  return `${input}.${mac(secret, input).toString('base64url')}`;
}

/** Checks shape, header and signature of an HS256 token. Expiry is the caller's business (it answers a different code). */
export function verifyJwt(token: string, secret: string): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HS256_HEADER_B64) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  return parseClaims(parts[1]);
}

// RSA key generation costs tens to hundreds of milliseconds: made once per process and shared by the
// simulators started in it (each still knows only its own accounts, so none accepts another's tokens).
let processKey: KeyObject | undefined;

/**
 * The issuer's signing key: RS256 over a 2048-bit RSA key, made once per process unless a PKCS#8 PEM
 * is given (a simulator restarted with the same key still accepts the tokens it minted before). Its
 * public half is served at `/.well-known/jwks.json` under a `kid` that is the key's RFC 7638
 * thumbprint, and every token names that `kid`.
 */
export class JwtSigner {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly publicJwk: PublicJwk;
  private readonly headerB64: string;

  constructor(privateKeyPem?: string) {
    this.privateKey = privateKeyPem ? createPrivateKey(privateKeyPem) : (processKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    if (this.privateKey.asymmetricKeyType !== 'rsa') throw new Error('the simulator signs with an RSA key (RS256)');
    this.publicKey = createPublicKey(this.privateKey);
    const { n, e } = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    // RFC 7638: the SHA-256 of the required members in lexicographic order, no spaces.
    this.kid = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
    this.publicJwk = { kty: 'RSA', n, e, kid: this.kid, alg: 'RS256', use: 'sig' };
    this.headerB64 = Buffer.from(JSON.stringify({ alg: 'RS256', kid: this.kid, typ: 'JWT' })).toString('base64url');
  }

  sign(claims: JwtClaims): string {
    const input = `${this.headerB64}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }

  /** Shape, header (this key's kid, RS256) and signature. Expiry is the caller's business. */
  verify(token: string): JwtCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== this.headerB64) return { ok: false, reason: 'malformed' };
    const valid = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!valid) return { ok: false, reason: 'signature' };
    return parseClaims(parts[1]);
  }

  /** The JSON Web Key Set served at `/.well-known/jwks.json`. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: [{ ...this.publicJwk }] };
  }
}
