import { maskSecret } from '@chatgate/config';
import { readCapped, type ReadableBody } from '@chatgate/service-kit';

/** What the upstream's auth endpoints answer, read the same way by the ChatGPT and Codex clients. */
export type Json = Record<string, unknown>;

export interface Reply {
  status: number;
  body: Json | undefined;
  setCookie: string[];
}

export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
export const trimSlash = (url: string): string => url.trim().replace(/\/+$/, '');

/** How far an auth endpoint's answer is read: a token answer is a few KB, so a body this large is not one. */
export const AUTH_BODY_LIMIT = 1024 * 1024;

/**
 * An auth endpoint's answer as a JSON object, or undefined (not JSON, not an object). Read no further
 * than AUTH_BODY_LIMIT: an endpoint that answers without end cannot fill the service's memory, and
 * a body cut there is no JSON.
 */
export async function jsonBodyOf(body: ReadableBody): Promise<Json | undefined> {
  const text = await readCapped(body, AUTH_BODY_LIMIT);
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** `secret` replaced by its hint wherever `text` holds it. */
export function scrub(text: string, secret: string): string {
  return secret && text.includes(secret) ? text.split(secret).join(maskSecret(secret)) : text;
}

/** The error code of an OAuth or API error body: `{error: "invalid_grant"}`, `{error: {code}}` or `{detail: {code}}`. */
export function errorCodeOf(body: Json | undefined): string | null {
  if (!body) return null;
  return str(body.error) ?? str(obj(body.error)?.code) ?? str(obj(body.detail)?.code);
}

/** `HTTP 400 invalid_grant: <description>`, with the credential masked should the upstream echo it. */
export function describeReply(reply: Reply, secret: string): string {
  const body = reply.body ?? {};
  const detail = obj(body.detail);
  const code = errorCodeOf(body);
  const text = str(body.error_description) ?? str(body.detail) ?? str(detail?.message) ?? str(obj(body.error)?.message);
  const summary = [`HTTP ${reply.status}`, code].filter(Boolean).join(' ');
  // Scrub before cutting, so a cut can never leave part of the credential behind.
  return text ? `${scrub(summary, secret)}: ${scrub(text, secret).slice(0, 200)}` : scrub(summary, secret);
}
