import { randomBytes } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { TokenCipher } from './token-cipher.js';

const key = randomBytes(32);
const cipher = new TokenCipher(key);

describe('TokenCipher', () => {
  it('round-trips plain, unicode and a long session token', () => {
    const session = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..' + randomBytes(3840).toString('base64url');
    expect(session.length).toBeGreaterThan(5000);
    for (const plain of ['rt_abc', 'ключ 🔑 秘密', session, '']) {
      expect(cipher.decrypt(cipher.encrypt(plain))).toBe(plain);
    }
  });

  it('writes v1:<key id>:<iv>:<tag>:<data> with a fresh IV each time and no plaintext', () => {
    const plain = 'rt_' + 'secretsecretsecret';
    const a = cipher.encrypt(plain);
    const b = cipher.encrypt(plain);
    expect(a).not.toBe(b);
    const [version, keyId, iv, tag] = a.split(':');
    expect(version).toBe('v1');
    expect(keyId).toBe(cipher.keyId);
    expect(cipher.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(iv).not.toBe(b.split(':')[2]);
    expect(a).not.toContain(plain);
    expect(a).not.toContain('secret');
    expect(TokenCipher.keyIdOf(a)).toBe(cipher.keyId);
    expect(TokenCipher.keyIdOf('plain-token')).toBeNull();
  });

  it('detects tampering with the data, tag or IV', () => {
    const sealed = cipher.encrypt('an access token');
    const parts = sealed.split(':');
    const flip = (text: string) => {
      const buf = Buffer.from(text, 'base64url');
      buf[0] = buf[0]! ^ 1;
      return buf.toString('base64url');
    };
    for (const index of [2, 3, 4]) {
      const altered = [...parts];
      altered[index] = flip(altered[index]!);
      expect(() => cipher.decrypt(altered.join(':'))).toThrow(/cannot be opened with this key/);
    }
    expect(() => cipher.decrypt('not sealed')).toThrow(/format/);
  });

  it('fails clearly with the wrong key, naming key ids only', () => {
    const sealed = cipher.encrypt('rt_secret_value');
    const other = new TokenCipher(randomBytes(32));
    expect(() => other.decrypt(sealed)).toThrow(`token ciphertext cannot be opened with this key (key id ${other.keyId}; sealed by key id ${cipher.keyId})`);
    // Same id label on a different key: GCM still refuses.
    const impostor = new TokenCipher(randomBytes(32), cipher.keyId);
    expect(() => impostor.decrypt(sealed)).toThrow(/cannot be opened with this key/);
  });

  it('handles null values', () => {
    expect(cipher.encryptNullable(null)).toBeNull();
    expect(cipher.encryptNullable(undefined)).toBeNull();
    expect(cipher.decryptNullable(null)).toBeNull();
    expect(cipher.decryptNullable(cipher.encryptNullable('x'))).toBe('x');
  });

  describe('fromConfig', () => {
    it('parses base64, base64url and hex keys to the same key', () => {
      const b64 = TokenCipher.fromConfig({ TOKEN_ENCRYPTION_KEY: key.toString('base64'), NODE_ENV: 'production' });
      const url = TokenCipher.fromConfig({ TOKEN_ENCRYPTION_KEY: key.toString('base64url') + '=', NODE_ENV: 'production' });
      const hex = TokenCipher.fromConfig({ TOKEN_ENCRYPTION_KEY: key.toString('hex'), NODE_ENV: 'production' });
      for (const c of [b64, url, hex]) {
        expect(c.keyId).toBe(cipher.keyId);
        expect(c.isDevelopmentKey).toBe(false);
        expect(c.decrypt(cipher.encrypt('same key'))).toBe('same key');
      }
    });

    it('rejects a malformed key without echoing it', () => {
      const bad = ['too-short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex') + 'zz', randomBytes(33).toString('base64')];
      for (const value of bad) {
        let message = '';
        try {
          TokenCipher.fromConfig({ TOKEN_ENCRYPTION_KEY: value, NODE_ENV: 'development' });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(/^TOKEN_ENCRYPTION_KEY must be 32 bytes/);
        expect(message).not.toContain(value);
      }
    });

    it('requires a key in production', () => {
      expect(() => TokenCipher.fromConfig({ NODE_ENV: 'production' })).toThrow(/^TOKEN_ENCRYPTION_KEY is required outside development: /);
    });

    it('refuses the development key when the upstream is the real one', () => {
      expect(() => TokenCipher.fromConfig({ NODE_ENV: 'development' }, false)).toThrow(/^TOKEN_ENCRYPTION_KEY is required when the upstream is the real one/);
      expect(TokenCipher.fromConfig({ NODE_ENV: 'development', TOKEN_ENCRYPTION_KEY: key.toString('hex') }, false).isDevelopmentKey).toBe(false);
    });

    it('uses a fixed development key in development and test', () => {
      const dev = TokenCipher.fromConfig({ NODE_ENV: 'development' });
      const test = TokenCipher.fromConfig({ NODE_ENV: 'test' });
      expect(dev.isDevelopmentKey).toBe(true);
      expect(test.keyId).toBe(dev.keyId);
      expect(test.decrypt(dev.encrypt('dev'))).toBe('dev');
      expect(new TokenCipher(key).isDevelopmentKey).toBe(false);
    });
  });
});

describe('TokenCipher bound to where a value is stored (v2)', () => {
  const here = { table: 'auth.upstream_accounts', column: 'refresh_token_enc', id: '6f1c2d3e-0000-4000-8000-000000000001' };

  it('writes v2:<key id>:<iv>:<tag>:<data> and opens it only at the same table, column and row', () => {
    const sealed = cipher.seal('rt_bound', here);
    expect(sealed.split(':')[0]).toBe('v2');
    expect(TokenCipher.keyIdOf(sealed)).toBe(cipher.keyId);
    expect(cipher.isCurrent(sealed)).toBe(true);
    expect(cipher.open(sealed, here)).toBe('rt_bound');
    expect(() => cipher.open(sealed, { ...here, id: '6f1c2d3e-0000-4000-8000-000000000002' })).toThrow(/cannot be opened/);
    expect(() => cipher.open(sealed, { ...here, column: 'access_token_enc' })).toThrow(/cannot be opened/);
    expect(() => cipher.open(sealed, { ...here, table: 'auth.mirror_tokens' })).toThrow(/cannot be opened/);
    // Relabelled as the unbound format, it does not open either.
    expect(() => cipher.open(sealed.replace(/^v2:/, 'v1:'), here)).toThrow(/cannot be opened/);
    expect(() => cipher.decrypt(sealed)).toThrow(/format/);
  });

  it('still opens values of the unbound format (v1) anywhere, and calls them not current', () => {
    const old = cipher.encrypt('rt_old');
    expect(cipher.open(old, here)).toBe('rt_old');
    expect(cipher.isCurrent(old)).toBe(false);
    expect(new TokenCipher(randomBytes(32)).isCurrent(cipher.seal('x', here))).toBe(false);
    expect(cipher.sealNullable(null, here)).toBeNull();
    expect(cipher.openNullable(null, here)).toBeNull();
  });
});
