import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the process knows about the request it is working on, wherever the work happens: the gateway
 * sets it per HTTP request (service-kit's HTTP hooks), the workers per job or bus request from the
 * message's headers. Every log line written inside it carries `requestId` (logger.ts' mixin), and the
 * gateway's access line is written from it. Shared plumbing annotates it as a request is resolved
 * (tenant and user by the credential resolver, model and upstream kind by routing, the job id by the
 * job client), so controllers need not.
 */
export interface RequestContext {
  /**
   * The client's `X-Request-Id` (validated) or one made for it; returned on every answer. A made one gives way to
   * the request's job id when its job is sent (JobClient), so the answer's `x-request-id` finds its usage row.
   */
  requestId: string;
  /** Whether chatgate made the id (the client gave none, or one that was unsafe). */
  generated?: boolean;
  /** performance.now() when the request arrived (time to first token is measured from it). */
  readonly startedAt: number;
  tenant?: string;
  user?: string;
  model?: string;
  /** The upstream kind that serves the request (`chatgpt`, `api_key`, `codex`). */
  upstream?: string;
  /** The bus job's own id (usage rows and cancels use it; unique even when a client repeats its request id). */
  jobId?: string;
}

/** The header that carries the request id, over HTTP and in NATS message headers. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest request id taken from a client; longer ones are replaced. */
export const MAX_REQUEST_ID_LENGTH = 128;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]+$/;

const storage = new AsyncLocalStorage<RequestContext>();

/** The client's id when it is usable (1–128 characters of letters, digits and `._:@/+=-`), else null. */
export function acceptRequestId(given: string | string[] | undefined | null): string | null {
  const value = Array.isArray(given) ? given[0] : given;
  return isSafeRequestId(value) ? value : null;
}

/** Whether a request id (from a bus header) is safe to carry on; anything else is dropped. */
export function isSafeRequestId(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH && SAFE_REQUEST_ID.test(value);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` inside a request's context (everything it starts, sync or async, sees it). */
export function withRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** A new context for a request id (made when missing). */
export function newRequestContext(requestId?: string | null, fields: Partial<Omit<RequestContext, 'requestId' | 'startedAt'>> = {}): RequestContext {
  const safe = isSafeRequestId(requestId);
  return { requestId: safe ? requestId : randomUUID(), ...(safe ? {} : { generated: true }), startedAt: performance.now(), ...fields };
}

/** Adds what shared code has just learnt about the current request (no-op outside one). */
export function annotateRequest(fields: Partial<Omit<RequestContext, 'requestId' | 'startedAt'>>): void {
  const store = storage.getStore();
  if (!store) return;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) (store as unknown as Record<string, unknown>)[key] = value;
}

/** The fields every log line inside a request carries. */
export function logFieldsOf(context: RequestContext | undefined): Record<string, unknown> {
  return context ? { requestId: context.requestId } : {};
}
