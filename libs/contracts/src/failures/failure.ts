import type { BusError } from '../common/openai-error.js';

/** The `type` of OpenAI's error envelope, as chatgate answers it (OpenAI's own words, plus `upstream_error`). */
export type ErrorType = 'invalid_request_error' | 'server_error' | 'upstream_error' | 'rate_limit_error' | 'requests' | 'tokens' | 'insufficient_quota';

/** How a failure reaches the client: the HTTP status and the envelope's `type`. */
export interface Envelope {
  readonly status: number;
  readonly type: ErrorType;
}

export interface FailureDetails {
  /** The request field the failure is about (`messages[0].content`), when there is one. */
  param?: string | null;
  /** Seconds until retrying can succeed; becomes the `retry-after` header. */
  retryAfterSec?: number;
}

/**
 * A failure of one family's code, with the status and type that family's table gives the code.
 * Each family (a file beside this one) is a union of codes and a table that must name every code
 * (`satisfies Record<Code, Envelope>`), so a code cannot exist without its envelope.
 */
export function failureOf<C extends string>(table: Readonly<Record<C, Envelope>>, code: C, message: string, details: FailureDetails = {}): BusError {
  const { status, type } = table[code];
  const failure: BusError = { status, error: { message, type, param: details.param ?? null, code } };
  if (details.retryAfterSec !== undefined) failure.retryAfterSec = details.retryAfterSec;
  return failure;
}

/**
 * The default branch of a switch over a union of codes: with every member handled, `value` is
 * `never`; a member added to the union and not handled is a compile error here.
 */
export function unhandled(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** A type guard for "this wire code is one of the family's" (codes arrive as strings from the bus). */
export function codeGuard<C extends string>(codes: readonly C[]): (code: string | null | undefined) => code is C {
  const known = new Set<string>(codes);
  return (code): code is C => code != null && known.has(code);
}
