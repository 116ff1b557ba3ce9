import { describe, expect, it } from '@jest/globals';
import type { GatewayConfig } from '../shared/config/gateway.config.js';
import { ApiError } from '../shared/errors/api-error.js';
import { AdminAuthenticator } from './admin-authenticator.js';
import { AdminPassword } from './admin-password.js';

const PASSWORD = 'correct horse battery staple';
const authenticator = (password: string | undefined) => new AdminAuthenticator({ ADMIN_PASSWORD: password } as GatewayConfig);

function refusal(run: () => unknown): ApiError {
  try {
    run();
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
  it('accepts Bearer <password> as the operator', () => {
    expect(authenticator(PASSWORD).authenticate(`Bearer ${PASSWORD}`, '10.0.0.1')).toEqual({ kind: 'operator' });
  });

  it('answers 403 admin_disabled when no password is configured, whatever is sent', () => {
    const err = refusal(() => authenticator(undefined).authenticate(`Bearer ${PASSWORD}`, '10.0.0.1'));
    expect(err.status).toBe(403);
    expect(err.body.code).toBe('admin_disabled');
  });

  it('answers 401 to a missing or wrong password, and never echoes what was sent', () => {
    const auth = authenticator(PASSWORD);
    expect(refusal(() => auth.authenticate(undefined, '10.0.0.1')).status).toBe(401);
    const wrong = refusal(() => auth.authenticate('Bearer guess-number-one', '10.0.0.1'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_admin_password');
    expect(JSON.stringify(wrong.toJSON())).not.toContain('guess-number-one');
  });

  it('refuses with 429 and retry-after once an address has failed too often, even with the right password', () => {
    const auth = authenticator(PASSWORD);
    const now = 5_000_000;
    for (let i = 0; i < 6; i++) expect(refusal(() => auth.authenticate('Bearer wrong', '10.0.0.2', now)).status).toBe(401);
    const limited = refusal(() => auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.2', now + 10));
    expect(limited.status).toBe(429);
    expect(limited.retryAfterSec).toBe(1);
    // Another address is not affected; the same one may try again when the wait is over.
    expect(auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.3', now + 10)).toEqual({ kind: 'operator' });
    expect(auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.2', now + 1000)).toEqual({ kind: 'operator' });
  });

  it('does not count a missing header as a failure', () => {
    const auth = authenticator(PASSWORD);
    for (let i = 0; i < 20; i++) refusal(() => auth.authenticate(undefined, '10.0.0.4', 1));
    expect(auth.authenticate(`Bearer ${PASSWORD}`, '10.0.0.4', 2)).toEqual({ kind: 'operator' });
  });
});
