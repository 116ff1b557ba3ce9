import { describe, expect, it } from '@jest/globals';
import type { Principal } from '@chatgate/contracts';
import { CredentialCache } from './credential-cache.js';

const principal = (credentialId: string, expiresAt: number): Principal => ({
  credentialId,
  tenantId: 't',
  userId: null,
  userName: null,
  limits: [],
  isolatedSession: false,
  label: 'x',
  upstream: { kind: 'chatgpt_access_token', accessToken: 'tok' },
  expiresAt,
});

describe('CredentialCache', () => {
  it('keeps an entry until the earlier of its TTL and the credential expiry', () => {
    const cache = new CredentialCache(1000);
    cache.set('k1', principal('c1', 10_500), 10_000);
    expect(cache.get('k1', 10_400)).toBeDefined();
    expect(cache.get('k1', 10_500)).toBeUndefined();
    cache.set('k2', principal('c2', 99_999), 10_000);
    expect(cache.get('k2', 10_999)).toBeDefined();
    expect(cache.get('k2', 11_000)).toBeUndefined();
  });

  it('evicts every entry of a revoked credential', () => {
    const cache = new CredentialCache(60_000);
    cache.set('a', principal('c1', Date.now() + 60_000));
    cache.set('b', principal('c1', Date.now() + 60_000));
    cache.set('c', principal('c2', Date.now() + 60_000));
    expect(cache.evictCredential('c1')).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('drops the oldest entry when full', () => {
    const cache = new CredentialCache(60_000, 2);
    for (const k of ['a', 'b', 'c']) cache.set(k, principal(k, Date.now() + 60_000));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });
});
