import { describe, expect, it } from '@jest/globals';
import { wireLimitsSchema } from '@chatgate/contracts';
import { hashSecret, KEY_PREFIXES, MIRROR_TOKEN_PREFIX, newSecret, secretFamily, visiblePrefix } from './key-secret.js';

describe('key secrets', () => {
  it('are random, prefixed by kind, hashed with sha256 and shown only by a short prefix', () => {
    const a = newSecret(KEY_PREFIXES.user);
    expect(a).toMatch(/^sk-cg-[\w-]{43}$/);
    expect(newSecret(KEY_PREFIXES.user)).not.toBe(a);
    expect(hashSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(a)).not.toContain(a.slice(6, 20));
    expect(visiblePrefix(a, KEY_PREFIXES.user)).toBe(`${a.slice(0, 10)}…`);
    expect(secretFamily(a)).toBe('user');
    expect(secretFamily(newSecret(KEY_PREFIXES.tenant_admin))).toBe('tenant_admin');
    expect(secretFamily(newSecret(MIRROR_TOKEN_PREFIX))).toBe('mirror');
    expect(secretFamily('eyJhbGciOi.x.y')).toBeNull();
  });
});

describe('wire limits', () => {
  const limit = (model_name: string, every_minute: number, limit_count: number) => ({ model_name, every_minute, limit_count });
  const param = (value: unknown) => {
    const r = wireLimitsSchema.safeParse(value);
    return r.success ? null : r.error.issues[0].path.join('.');
  };
  it('accepts positive windows, non-negative counts, one entry per model', () => {
    expect(param([limit('gpt-4o', 60, 0), limit('o1', 1, 5)])).toBeNull();
  });
  it('names the field of a bad entry', () => {
    expect(param([limit('gpt-4o', 0, 1)])).toBe('0.every_minute');
    expect(param([limit('gpt-4o', 5, -1)])).toBe('0.limit_count');
    expect(param([limit('gpt-4o', 5, 1), limit('gpt-4o', 6, 1)])).toBe('1.model_name');
    expect(param(Array.from({ length: 51 }, (_, i) => limit(`m${i}`, 1, 1)))).toBe('');
  });
});
