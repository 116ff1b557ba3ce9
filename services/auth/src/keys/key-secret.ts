import { createHash, randomBytes } from 'node:crypto';
import type { KeyKind } from '@chatgate/contracts';

/** What a key starts with tells its kind at a glance (and lets the resolver skip a query for anything else). */
export const KEY_PREFIXES: Record<KeyKind, string> = { user: 'sk-cg-', tenant_admin: 'cga_' };
export const MIRROR_TOKEN_PREFIX = 'mt-cg-';
/** The visible part kept with the hash: the kind's prefix and 4 characters of the secret. */
const VISIBLE_CHARS = 4;

/** 32 random bytes (256 bits) as base64url: guessing is hopeless, so a fast hash is enough to store it. */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function visiblePrefix(secret: string, prefix: string): string {
  return `${secret.slice(0, prefix.length + VISIBLE_CHARS)}…`;
}

/** Which family a presented Bearer belongs to, by prefix alone. */
export function secretFamily(bearer: string): KeyKind | 'mirror' | null {
  if (bearer.startsWith(KEY_PREFIXES.user)) return 'user';
  if (bearer.startsWith(KEY_PREFIXES.tenant_admin)) return 'tenant_admin';
  if (bearer.startsWith(MIRROR_TOKEN_PREFIX)) return 'mirror';
  return null;
}
