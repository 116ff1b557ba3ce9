import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@chatgate/service-kit/redis';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { AUTH_REDIS_PREFIX, redisKey, redisSealedAt } from '../accounts/sealed-places.js';
import { TokenCipher } from '../accounts/token-cipher.js';
import { RedisLocks } from '../persistence/redis-locks.js';
import { ChatGptAuthClient, UpstreamAuthError, type UpstreamAuthErrorKind } from '../upstream/chatgpt-auth.client.js';

interface CachedExchange {
  accessToken: string;
  expiresAt: number;
  /** A rotated refresh token or session cookie, used for the next exchange instead of the original. */
  successor: string | null;
}

/** What an exchange that failed told the callers that waited for it. */
interface FailedExchange {
  at: number;
  kind: UpstreamAuthErrorKind;
  message: string;
}

/** Refresh the access token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const ENTRY_TTL_SEC = 30 * 24 * 3600;
/**
 * Long enough for the callers waiting on an exchange to read how it failed. New callers ignore a
 * transient failure (they try again) but not a dead credential; the resolver's refusal cache
 * (RefusedBearers) then answers for longer.
 */
const FAILURE_TTL_MS = 10_000;
const WRITE_ATTEMPTS = 3;

/**
 * Raw refresh and session tokens sent as the Bearer: exchanged once and the result kept (sealed, in
 * Redis, shared by all auth replicas) until the access token nears expiry, not exchanged per request.
 * When the upstream rotates the refresh token, the successor is kept so the next exchange works.
 *
 * One exchange per token at a time, across replicas: concurrent callers in this process share one
 * promise; across replicas a Redis lock picks one exchanger and the others wait for its cached
 * result (or its failure). Without this the upstream, which rotates the token on each exchange,
 * would answer every caller but the first with `invalid_grant`, and the first's successor could be
 * overwritten by nothing.
 */
@Injectable()
export class ExchangedTokenCache {
  private readonly inFlight = new Map<string, Promise<CachedExchange>>();
  private readonly lockTtlMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
    private readonly upstream: ChatGptAuthClient,
    private readonly locks: RedisLocks,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.lockTtlMs = config.UPSTREAM_TIMEOUT_MS + 5_000;
  }

  /** The access token of an exchange already made and still fresh, without exchanging; null when there is none. */
  async cachedAccessToken(token: string, now = Date.now()): Promise<{ accessToken: string; expiresAt: number } | null> {
    const cached = await this.read(createHash('sha256').update(token).digest('hex'));
    return cached && fresh(cached, now) ? cached : null;
  }

  async accessTokenFor(token: string, kind: 'refresh' | 'session', now = Date.now()): Promise<{ accessToken: string; expiresAt: number }> {
    const id = createHash('sha256').update(token).digest('hex');
    const cached = await this.read(id);
    if (cached && fresh(cached, now)) return cached;
    let flight = this.inFlight.get(id);
    if (!flight) {
      flight = this.exchangeOnce(id, token, kind).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, flight);
    }
    return flight;
  }

  private async exchangeOnce(id: string, token: string, kind: 'refresh' | 'session'): Promise<CachedExchange> {
    const lockKey = `${AUTH_REDIS_PREFIX}exchange-lock:${id}`;
    const waitingSince = Date.now();
    const deadline = waitingSince + this.lockTtlMs;
    for (;;) {
      const held = await this.locks.tryAcquire(lockKey, this.lockTtlMs);
      if (held) {
        try {
          // Whoever held the lock before may have just exchanged it, or learnt that the token is dead:
          // a dead token is never presented again (a bogus `rt_…` sent to two replicas costs one exchange).
          const cached = await this.read(id);
          if (cached && fresh(cached, Date.now())) return cached;
          const dead = await this.failureSince(id, 0);
          if (dead?.kind === 'dead_credential') throw new UpstreamAuthError(dead.kind, dead.message);
          return await this.exchange(id, token, kind, cached?.successor ?? null);
        } finally {
          await this.locks.release(lockKey, held).catch(() => undefined);
        }
      }
      await this.locks.waitReleased(lockKey, Math.max(0, deadline - Date.now()));
      const cached = await this.read(id);
      if (cached && fresh(cached, Date.now())) return cached;
      const failed = await this.failureSince(id, waitingSince);
      if (failed) throw new UpstreamAuthError(failed.kind, failed.message);
      if (Date.now() >= deadline) throw new UpstreamAuthError('transient', 'another exchange of this token is still running');
    }
  }

  private async exchange(id: string, token: string, kind: 'refresh' | 'session', successor: string | null): Promise<CachedExchange> {
    const current = successor ?? token;
    let entry: CachedExchange;
    try {
      if (kind === 'refresh') {
        const r = await this.upstream.refresh(current);
        entry = { accessToken: r.accessToken, expiresAt: r.expiresAt.getTime(), successor: r.refreshToken ?? successor };
      } else {
        const s = await this.upstream.exchangeSession(current);
        entry = { accessToken: s.accessToken, expiresAt: s.expiresAt.getTime(), successor: s.sessionToken ?? successor };
      }
    } catch (err) {
      if (err instanceof UpstreamAuthError) {
        const failed: FailedExchange = { at: Date.now(), kind: err.kind, message: err.message };
        await this.redis.set(this.failureKey(id), JSON.stringify(failed), 'PX', FAILURE_TTL_MS).catch(() => undefined);
      }
      throw err;
    }
    // Stored before anyone uses the access token: the upstream has rotated the presented token away.
    await this.write(id, entry);
    return entry;
  }

  private async write(id: string, entry: CachedExchange): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify(entry), redisSealedAt('exchanged', id));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.redis.set(redisKey('exchanged', id), sealed, 'EX', ENTRY_TTL_SEC);
        return;
      } catch (err) {
        if (attempt >= WRITE_ATTEMPTS) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  private async read(id: string): Promise<CachedExchange | null> {
    const sealed = await this.redis.get(redisKey('exchanged', id));
    return sealed ? (JSON.parse(this.cipher.open(sealed, redisSealedAt('exchanged', id))) as CachedExchange) : null;
  }

  private failureKey(id: string): string {
    return `${AUTH_REDIS_PREFIX}exchange-failed:${id}`;
  }

  /** A failure of the exchange this caller waited for; an older one is not this caller's answer. */
  private async failureSince(id: string, since: number): Promise<FailedExchange | null> {
    const raw = await this.redis.get(this.failureKey(id));
    if (!raw) return null;
    const failed = JSON.parse(raw) as FailedExchange;
    return failed.at >= since ? failed : null;
  }
}

function fresh(entry: CachedExchange, now: number): boolean {
  return entry.expiresAt - now > EXPIRY_MARGIN_MS;
}
