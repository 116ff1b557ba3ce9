import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@chatgate/service-kit/redis';
import { TokenCipher } from '../accounts/token-cipher.js';
import { ChatGptAuthClient } from '../upstream/chatgpt-auth.client.js';

interface CachedExchange {
  accessToken: string;
  expiresAt: number;
  /** A rotated refresh token or session cookie, used for the next exchange instead of the original. */
  successor: string | null;
}

/** Refresh the access token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const ENTRY_TTL_SEC = 30 * 24 * 3600;

/**
 * Raw refresh and session tokens sent as the Bearer: exchanged once and the result kept (sealed, in
 * Redis, shared by all auth replicas) until the access token nears expiry, not exchanged per request.
 * When the upstream rotates the refresh token, the successor is kept so the next exchange works.
 */
@Injectable()
export class ExchangedTokenCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
    private readonly upstream: ChatGptAuthClient,
  ) {}

  private key(token: string): string {
    return `chatgate:auth:exchanged:${createHash('sha256').update(token).digest('hex')}`;
  }

  async accessTokenFor(token: string, kind: 'refresh' | 'session', now = Date.now()): Promise<{ accessToken: string; expiresAt: number }> {
    const key = this.key(token);
    const sealed = await this.redis.get(key);
    let successor: string | null = null;
    if (sealed) {
      const cached = JSON.parse(this.cipher.decrypt(sealed)) as CachedExchange;
      if (cached.expiresAt - now > EXPIRY_MARGIN_MS) return cached;
      successor = cached.successor;
    }
    const current = successor ?? token;
    let entry: CachedExchange;
    if (kind === 'refresh') {
      const r = await this.upstream.refresh(current);
      entry = { accessToken: r.accessToken, expiresAt: r.expiresAt.getTime(), successor: r.refreshToken ?? successor };
    } else {
      const s = await this.upstream.exchangeSession(current);
      entry = { accessToken: s.accessToken, expiresAt: s.expiresAt.getTime(), successor: s.sessionToken ?? successor };
    }
    await this.redis.set(key, this.cipher.encrypt(JSON.stringify(entry)), 'EX', ENTRY_TTL_SEC);
    return entry;
  }
}
