import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { readCapped, type Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';

/** Who signs ChatGPT and Codex access tokens, and whom they are for. */
export const CHATGPT_ISSUER = 'https://auth.openai.com';
export const CHATGPT_AUDIENCE = 'https://api.openai.com/v1';

/** Keys older than this are fetched again (in the background: the old ones serve meanwhile). */
const REFRESH_AFTER_MS = 10 * 60_000;
/** A token naming a key we do not hold fetches the set again, at most this often (rotations are rare; forged kids are not). */
const UNKNOWN_KID_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;
/** Larger than any real key set; a bigger answer is not one. */
const MAX_JWKS_BYTES = 256 * 1024;

export type AccessTokenCheck =
  | { ok: true; claims: JWTPayload }
  | { ok: false; reason: 'invalid' | 'expired' | 'keys_unavailable' };

/** The issuer's key set could not be fetched and no key fetched before verifies the token. */
class KeysUnavailable extends Error {}

interface HeldKeys {
  verifyWith: ReturnType<typeof createLocalJWKSet>;
  kids: Set<string>;
  fetchedAt: number;
}

/**
 * Verifies raw ChatGPT access tokens against the issuer's published keys (`CHATGPT_JWKS_URL`): RS256
 * signature, `iss`, `aud`, and `exp` required. The key set is fetched once and kept; refreshed every
 * 10 minutes in the background and when a token names an unknown key (at most every 30 s). When the
 * set cannot be fetched, the keys held from before still verify (a key set outage does not lock out
 * callers whose tokens they signed); with none held, tokens are refused as unverifiable (503), never
 * accepted unchecked.
 */
@Injectable()
export class IssuerKeys {
  private held: HeldKeys | null = null;
  private loading: Promise<void> | null = null;
  private lastUnknownKidFetch = 0;
  private readonly url: string;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {
    this.url = config.CHATGPT_JWKS_URL;
  }

  async check(token: string, now = Date.now()): Promise<AccessTokenCheck> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'RS256') return { ok: false, reason: 'invalid' };
      kid = header.kid;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    try {
      await this.keysFor(kid, now);
    } catch (err) {
      if (err instanceof KeysUnavailable) return { ok: false, reason: 'keys_unavailable' };
      throw err;
    }
    try {
      const { payload } = await jwtVerify(token, this.held!.verifyWith, {
        issuer: CHATGPT_ISSUER,
        audience: CHATGPT_AUDIENCE,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iss'],
        currentDate: new Date(now),
      });
      return { ok: true, claims: payload };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }

  private async keysFor(kid: string | undefined, now: number): Promise<void> {
    if (!this.held) {
      await this.load().catch(() => undefined);
      if (!this.held) throw new KeysUnavailable();
      return;
    }
    if (kid !== undefined && !this.held.kids.has(kid) && now - this.lastUnknownKidFetch >= UNKNOWN_KID_COOLDOWN_MS) {
      this.lastUnknownKidFetch = now;
      await this.load().catch(() => undefined);
      return;
    }
    if (now - this.held.fetchedAt >= REFRESH_AFTER_MS) void this.load().catch(() => undefined);
  }

  /** One fetch at a time; a failure keeps what is held. */
  private load(): Promise<void> {
    this.loading ??= this.fetchKeys()
      .then((held) => {
        this.held = held;
      })
      .catch((err: unknown) => {
        this.logger.warn({ url: this.url, err: err instanceof Error ? err.message : String(err), held: this.held !== null }, 'issuer key set not fetched');
        throw err;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  private async fetchKeys(): Promise<HeldKeys> {
    const res = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`the key set answered ${res.status}`);
    if (!res.body) throw new Error('the key set answered with no body');
    // Read no further than the limit: an endless answer is cut there, not buffered whole.
    const text = await readCapped(Readable.fromWeb(res.body), MAX_JWKS_BYTES + 1);
    if (text.length > MAX_JWKS_BYTES) throw new Error('the key set is too large');
    const jwks = JSON.parse(text) as JSONWebKeySet;
    if (!jwks || !Array.isArray(jwks.keys)) throw new Error('not a JSON Web Key Set');
    return { verifyWith: createLocalJWKSet(jwks), kids: new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')), fetchedAt: Date.now() };
  }
}
