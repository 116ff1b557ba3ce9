/**
 * When an upstream 429 says it clears, in whole seconds from `now`: `retry-after-ms` (OpenAI's
 * own, more precise) first, then `retry-after` as seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when neither says anything usable; a time already past counts as 0.
 */
export function retryAfterSeconds(headers: { 'retry-after'?: string | string[]; 'retry-after-ms'?: string | string[] }, now = Date.now()): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();
  const ms = first(headers['retry-after-ms']);
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms) / 1000);
  const value = first(headers['retry-after']);
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  // Only an HTTP date is a date here: Date.parse would read "5" or "tomorrow" its own way.
  if (!/^[A-Za-z]{3},? /.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
