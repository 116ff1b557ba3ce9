/**
 * Field names whose values are secrets wherever they sit in a logged object, at any depth, in any case
 * and spelling (`accessToken`, `access_token`, `Set-Cookie`, `x-api-key`): compared after lower-casing
 * and dropping `-` and `_`. The second line of defence; the first is never logging them.
 */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'proxy-authorization',
    'cookie',
    'cookies',
    'set-cookie',
    'authkey',
    'token',
    'tokens',
    'bearer',
    'access_token',
    'refresh_token',
    'id_token',
    'session_token',
    'sessionToken',
    'accessToken',
    'refreshToken',
    'idToken',
    'password',
    'passwd',
    'pass',
    'secret',
    'client_secret',
    'api_key',
    'apikey',
    'x-api-key',
    'api-key',
    'key',
    'credential',
    'credentials',
    'private_key',
    'e2ee_key',
  ].map(normalize),
);

export const REDACTED = '[redacted]';
/** Deeper than any object chatgate logs; beyond it values are cut rather than walked. */
const MAX_DEPTH = 10;

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Counts and switches under a secret-sounding name (`tokens: 1200`) are no secret. */
function holdsSecret(value: unknown): boolean {
  return value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'boolean';
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalize(key));
}

/**
 * A copy of `value` with every secret field's value replaced (objects, arrays, Maps' entries and
 * Error's own fields alike). The logged object itself is never changed; cycles are cut.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), isSecretKey(String(k)) && holdsSecret(v) ? REDACTED : redactSecrets(v, depth + 1, seen)]));
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return value;
    const out: Record<string, unknown> = {};
    // Errors keep what pino's serializer reads (message, stack, type) beside their own fields.
    if (value instanceof Error) {
      out.type = value.constructor.name;
      out.message = value.message;
      out.stack = value.stack;
    }
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && holdsSecret(v) ? REDACTED : redactSecrets(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
