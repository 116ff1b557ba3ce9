import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { AuthConfig } from '@chatgate/config';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** v1: the AAD names the format only; read for rows sealed before v2, rewritten by the key rotation CLI. */
const V1 = 'v1';
const V1_AAD = Buffer.from(`chatgate-token:${V1}`, 'utf8');
/** v2: the AAD also names where the value lives (table, column, row), so a value moved anywhere else fails to open. */
const V2 = 'v2';
const v2Aad = (where: SealedAt) => Buffer.from(`chatgate-token:${V2}:${where.table}:${where.column}:${where.id}`, 'utf8');
// Development and test run without configuring a key; the key is public, so rows sealed with it protect nothing.
const DEVELOPMENT_KEY_SEED = 'chatgate development token key: public, never use in production';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=$/;

/**
 * Where a sealed value lives: a table (or `redis`), a column (or the kind of Redis entry) and the
 * row's id (or the entry's key). Bound into v2 ciphertexts: a value copied to another row, column
 * or table cannot be opened there.
 */
export interface SealedAt {
  table: string;
  column: string;
  id: string;
}

/**
 * AES-256-GCM for upstream tokens at rest. A sealed value names its format and the key that sealed
 * it (`v2:<key id>:<iv>:<tag>:<ciphertext>`), so a key rotation can tell which values are done and
 * a wrong key is reported as such rather than as corrupt data. `seal`/`open` bind the value to
 * where it is stored; `encrypt` writes the unbound v1 format of older rows (kept for tests of
 * reading and rewriting them), and `open` still reads it.
 */
export class TokenCipher {
  readonly keyId: string;

  // Set only by fromConfig: a caller handing in a key of its own is never on the development key.
  #developmentKey = false;

  constructor(
    private readonly key: Buffer,
    keyId?: string,
  ) {
    if (key.length !== KEY_BYTES) throw new Error(`token encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
    // The key id is a separator-delimited field of every sealed value.
    if (keyId !== undefined && !/^[\w-]+$/.test(keyId)) throw new Error('token key id may only hold letters, digits, "_" and "-"');
    this.keyId = keyId ?? createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** True when no key was configured and the public development key is in use. */
  get isDevelopmentKey(): boolean {
    return this.#developmentKey;
  }

  /**
   * The configured key, else the public development key where that is allowed: never in production and,
   * when `developmentKeyAllowed` says so (auth passes `developmentSecretsAllowed`: a local simulator as
   * upstream), never while real tokens may be entered.
   */
  static fromConfig(config: Pick<AuthConfig, 'TOKEN_ENCRYPTION_KEY' | 'NODE_ENV'>, developmentKeyAllowed = config.NODE_ENV !== 'production'): TokenCipher {
    if (config.TOKEN_ENCRYPTION_KEY) return new TokenCipher(TokenCipher.parseKey(config.TOKEN_ENCRYPTION_KEY));
    if (config.NODE_ENV === 'production') {
      throw new Error(
        'TOKEN_ENCRYPTION_KEY is required outside development: set it to 32 random bytes as base64 or hex (e.g. `openssl rand -base64 32`)',
      );
    }
    if (!developmentKeyAllowed) {
      throw new Error(
        'TOKEN_ENCRYPTION_KEY is required when the upstream is the real one (CHATGPT_BASE_URL or the auth URLs, the Codex one included, are not a local simulator): the development key is public. Set it to 32 random bytes (e.g. `openssl rand -base64 32`)',
      );
    }
    const cipher = new TokenCipher(createHash('sha256').update(DEVELOPMENT_KEY_SEED).digest());
    cipher.#developmentKey = true;
    return cipher;
  }

  /**
   * 32 bytes from base64 (44 characters, standard or url alphabet) or hex (64 characters).
   * `name` is the setting named in the error; the value itself never is.
   */
  static parseKey(raw: string, name = 'TOKEN_ENCRYPTION_KEY'): Buffer {
    const value = raw.trim();
    let key: Buffer | undefined;
    if (HEX_KEY.test(value)) key = Buffer.from(value, 'hex');
    else if (BASE64_KEY.test(value)) key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (!key || key.length !== KEY_BYTES) {
      throw new Error(
        `${name} must be ${KEY_BYTES} bytes written as base64 (44 characters) or hex (64 characters); the value given has ${value.length} characters`,
      );
    }
    return key;
  }

  /** The key id a sealed value names, or null when it is not in a format this class writes. */
  static keyIdOf(sealed: string): string | null {
    const parts = sealed.split(':');
    return parts.length === 5 && (parts[0] === V1 || parts[0] === V2) && parts[1] ? parts[1] : null;
  }

  /** Whether the value is in the current, bound format under this key: nothing for a rotation to do. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${V2}:`) && TokenCipher.keyIdOf(sealed) === this.keyId;
  }

  /** Seals a value for one place (v2). */
  seal(plain: string, at: SealedAt): string {
    return this.write(V2, v2Aad(at), plain);
  }

  /** Opens a value sealed for this place (v2), or an older unbound one (v1). */
  open(sealed: string, at: SealedAt): string {
    const version = sealed.slice(0, sealed.indexOf(':'));
    if (version === V1) return this.read(V1, V1_AAD, sealed);
    if (version === V2) return this.read(V2, v2Aad(at), sealed);
    throw new Error('token ciphertext is not in the v2:<key id>:<iv>:<tag>:<data> format');
  }

  sealNullable(value: string | null | undefined, at: SealedAt): string | null {
    return value === null || value === undefined ? null : this.seal(value, at);
  }

  openNullable(sealed: string | null, at: SealedAt): string | null {
    return sealed === null ? null : this.open(sealed, at);
  }

  /** The unbound v1 format (rows sealed before v2). */
  encrypt(plain: string): string {
    return this.write(V1, V1_AAD, plain);
  }

  /** Opens a v1 value only. */
  decrypt(sealed: string): string {
    return this.read(V1, V1_AAD, sealed);
  }

  encryptNullable(value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : this.encrypt(value);
  }

  decryptNullable(sealed: string | null): string | null {
    return sealed === null ? null : this.decrypt(sealed);
  }

  private write(version: string, aad: Buffer, plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [version, this.keyId, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(':');
  }

  private read(version: string, aad: Buffer, sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== version) {
      throw new Error(`token ciphertext is not in the ${version}:<key id>:<iv>:<tag>:<data> format`);
    }
    const [, sealedKeyId, ivText, tagText, dataText] = parts as [string, string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (sealedKeyId !== this.keyId || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw this.cannotOpen(sealedKeyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // GCM does not tell a wrong key from tampering (or from a value moved to another place); none can be trusted.
      throw this.cannotOpen(sealedKeyId);
    }
  }

  private cannotOpen(sealedKeyId: string): Error {
    const sealedBy = sealedKeyId === this.keyId ? 'the value was altered or sealed by another key with the same id' : `sealed by key id ${sealedKeyId}`;
    return new Error(`token ciphertext cannot be opened with this key (key id ${this.keyId}; ${sealedBy})`);
  }
}
