/**
 * Rules for the secrets an operator chooses. Messages name the rule broken, never the value.
 */

/** Placeholders and defaults seen in examples and tutorials, compared lower-cased with everything but letters and digits removed. */
const PLACEHOLDERS = new Set([
  'changeme',
  'password',
  'admin',
  'administrator',
  'secret',
  'demoadmin',
  'devadmin',
  'adminpassword',
  'yourpassword',
  'youradminpassword',
  'letmein',
  'qwerty',
  'passw0rd',
  'p4ssw0rd',
  'test',
  'default',
]);

/** Words that mark a value as a placeholder wherever they appear in it (`CHANGE_ME_NOW`, `<replace-me>`). */
const PLACEHOLDER_PARTS = ['changeme', 'replaceme', 'placeholder', 'fillmein', 'yourpassword', 'xxxxxxxx', '12345678'];

export const ADMIN_PASSWORD_MIN_LENGTH = 16;
/** Shannon entropy of the characters as written, times the length: a 16-character random base64 string has about 60. */
export const ADMIN_PASSWORD_MIN_BITS = 48;

const HOW_TO_MAKE_ONE = 'generate one with `openssl rand -base64 24`';

function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  const chars = [...value];
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

/** Why `password` may not guard the admin API, or null when it may. */
export function adminPasswordProblem(password: string): string | null {
  const normalized = password.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDERS.has(normalized) || PLACEHOLDER_PARTS.some((part) => normalized.includes(part))) {
    return `is a placeholder or a well-known default; ${HOW_TO_MAKE_ONE}`;
  }
  if ([...password].length < ADMIN_PASSWORD_MIN_LENGTH) return `must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters; ${HOW_TO_MAKE_ONE}`;
  if (entropyBits(password) < ADMIN_PASSWORD_MIN_BITS) return `is too predictable (too few distinct characters); ${HOW_TO_MAKE_ONE}`;
  return null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * True when every upstream base (a comma-separated list, as CHATGPT_BASE_URL may be) is on this machine's
 * loopback: a local simulator. Anything else, or anything that is not a URL, counts as a real upstream.
 */
export function upstreamIsLocal(...bases: Array<string | undefined>): boolean {
  const all = bases.flatMap((b) => (b ?? '').split(',')).map((b) => b.trim()).filter(Boolean);
  if (!all.length) return false;
  return all.every((base) => {
    try {
      return isLoopbackHost(new URL(base).hostname);
    } catch {
      return false;
    }
  });
}

/**
 * Whether a service may fall back to a development secret (a public, published key) when the real one
 * is unset: never in production, and never while it talks to a real upstream (real tokens would be
 * sealed with a key anyone can read). A local simulator in development or test may.
 */
export function developmentSecretsAllowed(config: { NODE_ENV: string }, ...upstreamBases: Array<string | undefined>): boolean {
  return config.NODE_ENV !== 'production' && upstreamIsLocal(...upstreamBases);
}
