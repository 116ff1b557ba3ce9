import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type RequestOptions } from '@nats-io/transport-node';
import { ServiceMetrics, subjectLabel } from './metrics.js';
import { currentRequest, isSafeRequestId, newRequestContext, REQUEST_ID_HEADER, type RequestContext } from './request-context.js';
import { endSpan, extractTrace, injectTrace, SpanKind, startSpan, type Context, type Span } from './tracing.js';

interface Observed {
  metrics: ServiceMetrics;
  service: string;
}

const observed = new WeakMap<object, Observed>();

/** The metrics and name of the service a connection belongs to (undefined for a connection nobody observed, as in unit tests). */
export function observerOf(nc: object): Observed | undefined {
  return observed.get(nc);
}

/**
 * The request id and trace context an outgoing message carries: the current request's id
 * (`x-request-id`) and, when tracing, `span`'s `traceparent`. Added to a copy of `existing` (a shared
 * headers object is never changed); undefined when there is nothing to add and nothing was given.
 */
export function outgoingHeaders(existing: MsgHdrs | undefined, span?: Span): MsgHdrs | undefined {
  const request = currentRequest();
  if (!request && !span) return existing;
  const h = natsHeaders();
  if (existing) for (const [key, values] of existing) for (const value of values) h.append(key, value);
  if (request && !h.has(REQUEST_ID_HEADER)) h.set(REQUEST_ID_HEADER, request.requestId);
  injectTrace(span, h);
  return h;
}

/** What a message taken off the bus says about its request: its id (a new one when it has none) and its trace context. */
export function incomingRequest(headers: MsgHdrs | undefined, fields: Partial<RequestContext> = {}): { context: RequestContext; trace: Context } {
  const given = headers?.get(REQUEST_ID_HEADER);
  return { context: newRequestContext(isSafeRequestId(given) ? given : null, fields), trace: extractTrace(headers) };
}

/**
 * Makes every request/reply on the connection observed: its round trip timed into
 * `chatgate_bus_request_duration_seconds` by subject, the current request's id and trace context
 * carried in its headers, a client span around it when tracing. Jobs (JobClient) and the NestJS
 * transport's clients (ObservedClientNats) do the same on their own paths. JetStream's API and
 * publishes go through `request` too, so they are timed (subjects `$JS.API.…`, the usage subject).
 */
export function observeConnection(nc: NatsConnection, metrics: ServiceMetrics, service: string): NatsConnection {
  if (observed.has(nc)) return nc;
  observed.set(nc, { metrics, service });
  const request = nc.request.bind(nc);
  nc.request = (subject: string, payload?: Parameters<NatsConnection['request']>[1], opts?: RequestOptions): Promise<Msg> => {
    const label = subjectLabel(subject);
    const span = startSpan(service, `${label} request`, SpanKind.CLIENT, { 'messaging.system': 'nats', 'messaging.destination.name': label });
    const headers = outgoingHeaders(opts?.headers, span);
    const started = performance.now();
    const done = (outcome: string) => metrics.busRequests.observe({ subject: label, outcome }, (performance.now() - started) / 1000);
    return request(subject, payload, headers ? { ...(opts ?? { timeout: 1000 }), headers } : opts).then(
      (msg) => {
        done('ok');
        endSpan(span);
        return msg;
      },
      (err: unknown) => {
        const outcome = busFailure(err);
        done(outcome);
        endSpan(span, outcome);
        throw err;
      },
    );
  };
  return nc;
}

/** A failed round trip as a label: `timeout`, `no_responders` or `error`. */
export function busFailure(err: unknown): string {
  const text = err instanceof Error ? `${err.name} ${err.message} ${(err as { code?: unknown }).code ?? ''}` : String(err);
  if (/timeout/i.test(text)) return 'timeout';
  if (/no ?responders|503/i.test(text)) return 'no_responders';
  return 'error';
}
