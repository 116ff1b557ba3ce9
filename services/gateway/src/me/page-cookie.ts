/** The cookie of the user page; it holds a PageSessions handle, not a credential. */
export const PAGE_COOKIE = 'cg_page';

/** The value of one cookie from a `cookie` header (no library: the gateway reads this one cookie only). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (sent on the top-level navigation the link starts,
 * not on cross-site subrequests), scoped to the API prefix, Secure when the page was served over TLS.
 */
export function pageCookie(handle: string, opts: { path: string; maxAgeMs: number; secure: boolean }): string {
  const parts = [`${PAGE_COOKIE}=${handle}`, `Path=${opts.path}`, `Max-Age=${Math.floor(opts.maxAgeMs / 1000)}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
