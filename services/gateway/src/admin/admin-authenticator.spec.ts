import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { parseConfig, redisEnv } from '@chatgate/config';
import { createLogger } from '@chatgate/service-kit';
import type { GatewayConfig } from '../shared/config/gateway.config.js';
import { ApiError } from '../shared/errors/api-error.js';
import { AdminAuthenticator } from './admin-authenticator.js';
import { AdminPassword } from './admin-password.js';

const PASSWORD = 'correct horse battery staple';
// The failure counts live in Redis: a real one, each authenticator under its own key prefix.
const redis = new Redis(parseConfig(redisEnv).REDIS_URL);
afterAll(() => redis.quit());
const logger = createLogger('test', 'silent');
const authenticator = (password: string | undefined, store: Redis = redis) =>
  new AdminAuthenticator({ ADMIN_PASSWORD: password } as GatewayConfig, store, logger, undefined, `chatgate:test:admin-failures:${randomUUID()}:`);

async function refusal(run: () => Promise<unknown>): Promise<ApiError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('AdminPassword', () => {
  it('matches only the exact password, and nothing when none is set', () => {
    const password = new AdminPassword(PASSWORD);
    expect(password.matches(PASSWORD)).toBe(true);
    expect(password.matches(`${PASSWORD} `)).toBe(false);
    expect(password.matches(PASSWORD.slice(0, -1))).toBe(false);
    expect(password.matches('')).toBe(false);
    expect(new AdminPassword(undefined).enabled).toBe(false);
    expect(new AdminPassword('').matches('')).toBe(false);
  });
});

describe('AdminAuthenticator', () => {
  it('accepts Bearer <password> as the operator', async () => {
    expect(await authenticator(PASSWORD).authenticate(`Bearer ${PASSWORD}`, '10.0.0.1')).toEqual({ kind: 'operator' });
  });

  it('answers 403 admin_disabled when no password is configured, whatever is sent', async () => {
    const err = await refusal(() => authenticator(undefined).authenticate(`Bearer ${PASSWORD}`, '10.0.0.1'));
    expect(err.status).toBe(403);
    expect(err.body.code).toBe('admin_disabled');
  });

  it('answers 401 to a missing or wrong password, and never echoes what was sent', async () => {
    const auth = authenticator(PASSWORD);
    expect((await refusal(() => auth.authenticate(undefined, '10.0.0.1'))).status).toBe(401);
    const wrong = await refusal(() => auth.authenticate('Bearer guess-number-one', '10.0.0.1'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_admin_password');
    expect(JSON.stringify(wrong.toJSON())).not.toContain('guess-number-one');
  });

  it('refuses with 429 and retry-after once an address has failed too often, even with the right password', async () => {
    const auth = authenticator(PASSWORD);
    const now = 5_000_000;
    for (let i = 0; i < 6; i++) expect((await refusal(() => auth.authenticate('Bearer wrong', '10.0.0.2', now))).status).toBe(401);
    const limited = await refusal(() => auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.2', now + 10));
    expect(limited.status).toBe(429);
    expect(limited.retryAfterSec).toBe(1);
    // Another address is not affected; the same one may try again when the wait is over.
    expect(await auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.3', now + 10)).toEqual({ kind: 'operator' });
    expect(await auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.2', now + 1000)).toEqual({ kind: 'operator' });
  });

  it('counts an IPv6 client by its /64: rotating addresses inside it does not reset the count', async () => {
    const auth = authenticator(PASSWORD);
    const now = 6_000_000;
    for (let i = 0; i < 6; i++) await refusal(() => auth.authenticate('Bearer wrong', `2001:db8:aa:bb::${(i + 1).toString(16)}`, now));
    const limited = await refusal(() => auth.authenticate(`Bearer ${PASSWORD}`, '2001:db8:aa:bb:ffff:1:2:3', now + 10));
    expect(limited.status).toBe(429);
    // The next /64 is another client.
    expect(await auth.authenticate(`Bearer ${PASSWORD}`, '2001:db8:aa:bc::1', now + 10)).toEqual({ kind: 'operator' });
  });

  it('shares the counts between gateway replicas', async () => {
    const prefix = `chatgate:test:admin-failures:${randomUUID()}:`;
    const one = new AdminAuthenticator({ ADMIN_PASSWORD: PASSWORD } as GatewayConfig, redis, logger, undefined, prefix);
    const other = new AdminAuthenticator({ ADMIN_PASSWORD: PASSWORD } as GatewayConfig, redis, logger, undefined, prefix);
    const now = 7_000_000;
    for (let i = 0; i < 3; i++) await refusal(() => one.authenticate('Bearer wrong', '10.0.0.9', now));
    for (let i = 0; i < 3; i++) await refusal(() => other.authenticate('Bearer wrong', '10.0.0.9', now));
    expect((await refusal(() => one.authenticate(`Bearer ${PASSWORD}`, '10.0.0.9', now + 10))).status).toBe(429);
  });

  it('refuses every login with 503 while Redis cannot be reached (fail closed)', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, commandTimeout: 200, retryStrategy: () => null, lazyConnect: true });
    unreachable.on('error', () => undefined);
    const err = await refusal(() => authenticator(PASSWORD, unreachable).authenticate(`Bearer ${PASSWORD}`, '10.0.0.5'));
    expect(err.status).toBe(503);
    expect(err.body.code).toBe('admin_login_unavailable');
    unreachable.disconnect();
  });

  it('does not count a missing header as a failure', async () => {
    const auth = authenticator(PASSWORD);
    for (let i = 0; i < 20; i++) await refusal(() => auth.authenticate(undefined, '10.0.0.4', 1));
    expect(await auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.4', 2)).toEqual({ kind: 'operator' });
  });
});
