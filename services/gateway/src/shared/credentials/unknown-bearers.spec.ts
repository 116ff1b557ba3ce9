import { describe, expect, it } from '@jest/globals';
import { clientKey } from '../http/client-address.js';
import { RefusalCache } from './refusal-cache.js';
import { UNKNOWN_BEARER_POLICY, UnknownBearerLimiter } from './unknown-bearer-limiter.js';

const T0 = 1_000_000;

describe('clientKey', () => {
  it('counts IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::1')).toBe(clientKey('2001:db8:1:2:ffff::9'));
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('not-an-address')).toBe('not-an-address');
  });
});

describe('UnknownBearerLimiter', () => {
  it('lets a client present 30 refused Bearers a minute, then makes it wait for the window to end', () => {
    const limiter = new UnknownBearerLimiter();
    for (let i = 0; i < UNKNOWN_BEARER_POLICY.perWindow; i++) {
      expect(limiter.waitMs('a', T0 + i)).toBe(0);
      limiter.refused('a', T0 + i);
    }
    expect(limiter.waitMs('a', T0 + 100)).toBe(UNKNOWN_BEARER_POLICY.windowMs - 100);
    expect(limiter.waitMs('b', T0 + 100)).toBe(0);
    expect(limiter.waitMs('a', T0 + UNKNOWN_BEARER_POLICY.windowMs)).toBe(0);
  });

  it('stays bounded', () => {
    const limiter = new UnknownBearerLimiter({ ...UNKNOWN_BEARER_POLICY, maxTracked: 2 });
    limiter.refused('a', T0);
    limiter.refused('b', T0);
    limiter.refused('c', T0);
    expect(limiter.size).toBe(2);
  });
});

describe('RefusalCache', () => {
  it('answers a refusal for as long as auth allowed, at most a minute', () => {
    const cache = new RefusalCache();
    const failure = { status: 401, error: { message: 'no', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
    cache.set('k', failure, 5000, T0);
    expect(cache.get('k', T0 + 4999)).toEqual(failure);
    expect(cache.get('k', T0 + 5000)).toBeUndefined();
    cache.set('k', failure, 3_600_000, T0);
    expect(cache.get('k', T0 + 60_000)).toBeUndefined();
  });
});
