/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. Used in every message that names a URL. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw.replace(/\/\/([^:/@]+):[^@]+@/, '//$1:***@');
  }
}

/** Shows enough of a secret to recognise it, never enough to use it: `eyJhbG…x9Qk (1234 chars)`. */
export function maskSecret(secret: string): string {
  if (secret.length <= 12) return '***';
  return `${secret.slice(0, 6)}…${secret.slice(-4)}`;
}
