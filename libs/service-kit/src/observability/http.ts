import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging/logger.js';
import type { ServiceMetrics } from './metrics.js';
import { acceptRequestId, newRequestContext, REQUEST_ID_HEADER, withRequest, type RequestContext } from './request-context.js';
import { endSpan, extractHttpTrace, SpanKind, startSpan, withSpan, type Span } from './tracing.js';

/** Probes and scrapes: counted, never given an access line. */
const QUIET_ROUTE = /^\/(?:.*\/)?(?:health(?:\/.*)?|metrics)$/;

interface Observation {
  context: RequestContext;
  span: Span | undefined;
}

const observations = new WeakMap<FastifyRequest, Observation>();

/** The request id of an HTTP request (undefined outside the hooks below, e.g. in a unit test). */
export function requestIdOf(req: FastifyRequest): string | undefined {
  return observations.get(req)?.context.requestId;
}

/**
 * Every HTTP answer of the service, observed in one place (Fastify hooks, so no controller does it):
 * - the request id: the client's `X-Request-Id` when it is 1–128 safe characters, else a new UUID; it is
 *   the `x-request-id` of every answer (whatever a handler set, also on answers written to the raw socket)
 *   and `error.request_id` in every JSON error body sent through Fastify;
 * - the request's context (request-context.ts) around its handler, so every log line and bus message
 *   made for it carries the id;
 * - `chatgate_http_requests_total`, `…_duration_seconds` (by route template, never the URL) and in-flight;
 * - one access line when the answer ends (method, route, status, duration, tenant, user, model, upstream,
 *   job id; never a header, query or body), except for probes and scrapes;
 * - a server span when tracing, continuing the caller's `traceparent`.
 */
export function observeHttp(fastify: FastifyInstance, opts: { metrics: ServiceMetrics; logger: Logger; service: string }): void {
  const { metrics, logger, service } = opts;
  const access = logger.child({ component: 'access' });

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const context = newRequestContext(acceptRequestId(req.headers[REQUEST_ID_HEADER]));
    const route = routeOf(req);
    const span = startSpan(service, `${req.method} ${route}`, SpanKind.SERVER, { 'http.request.method': req.method, 'http.route': route }, extractHttpTrace(req.headers));
    observations.set(req, { context, span });
    forceRequestIdHeader(reply.raw, context);
    metrics.httpInFlight.inc();
    reply.raw.once('close', () => {
      metrics.httpInFlight.dec();
      const status = reply.raw.headersSent || reply.raw.writableFinished ? reply.raw.statusCode : 499;
      const seconds = (performance.now() - context.startedAt) / 1000;
      const upstream = context.upstream ?? 'none';
      metrics.httpRequests.inc({ method: req.method, route, status: String(status), upstream });
      metrics.httpDuration.observe({ method: req.method, route, upstream }, seconds);
      if (span) {
        span.setAttribute('http.response.status_code', status);
        endSpan(span, status >= 500 ? String(status) : undefined);
      }
      if (QUIET_ROUTE.test(route)) return;
      withRequest(context, () =>
        access.info(
          {
            method: req.method,
            route,
            status,
            ms: Math.round(seconds * 1000),
            // Cut before the answer ended: the client went away, or the stream was ended with an error.
            ...(reply.raw.writableFinished ? {} : { aborted: true }),
            tenant: context.tenant,
            user: context.user,
            model: context.model,
            upstream: context.upstream,
            jobId: context.jobId,
          },
          'request',
        ),
      );
    });
    withRequest(context, () => withSpan(span, done));
  });

  // The body is parsed between onRequest and here, on the socket's events, outside the context: enter it again.
  fastify.addHook('preHandler', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const observed = observations.get(req);
    if (!observed) return done();
    withRequest(observed.context, () => withSpan(observed.span, done));
  });

  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const observed = observations.get(req);
    if (!observed || reply.statusCode < 400 || typeof payload !== 'string') return payload;
    if (!String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    return withRequestIdInError(payload, observed.context.requestId);
  });
}

/** A JSON error body (`{"error": {…}}`) with `error.request_id` set; anything else as it was. */
export function withRequestIdInError(body: string, requestId: string): string {
  if (!body.startsWith('{') || !body.includes('"error"')) return body;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    const error = parsed.error;
    if (!error || typeof error !== 'object' || Array.isArray(error)) return body;
    if ((error as { request_id?: unknown }).request_id !== undefined) return body;
    (error as Record<string, unknown>).request_id = requestId;
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

/** The route's template (`/v1/files/:token`), or `unmatched`: the only form a URL takes in metrics and logs. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? 'unmatched';
}

/**
 * Whatever a handler sets (controllers give `x-request-id` their job's id, some writing the head on the raw
 * socket), the answer's `x-request-id` is the request's id: set now, and put back in every head written.
 */
function forceRequestIdHeader(res: ServerResponse, context: RequestContext): void {
  res.setHeader(REQUEST_ID_HEADER, context.requestId);
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    // Read now: a made id gives way to the job's id once the job is sent.
    const requestId = context.requestId;
    const last = rest.length ? rest[rest.length - 1] : undefined;
    if (last && typeof last === 'object') rest[rest.length - 1] = replaceRequestId(last as OutgoingHttpHeaders | unknown[], requestId);
    if (!this.headersSent) this.setHeader(REQUEST_ID_HEADER, requestId);
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
}

function replaceRequestId(headers: OutgoingHttpHeaders | unknown[], requestId: string): OutgoingHttpHeaders | unknown[] {
  if (Array.isArray(headers)) {
    // [[name, value], …] or [name, value, name, value, …]
    if (headers.length && Array.isArray(headers[0])) return [...(headers as unknown[][]).filter(([k]) => String(k).toLowerCase() !== REQUEST_ID_HEADER), [REQUEST_ID_HEADER, requestId]];
    const flat: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== REQUEST_ID_HEADER) flat.push(headers[i], headers[i + 1]);
    return [...flat, REQUEST_ID_HEADER, requestId];
  }
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== REQUEST_ID_HEADER) out[k] = v;
  out[REQUEST_ID_HEADER] = requestId;
  return out;
}

/**
 * `/metrics` on a port of its own (the gateway's METRICS_PORT: its health routes are on the public port,
 * its metrics must not be). Answers nothing else.
 */
export async function serveMetrics(metrics: ServiceMetrics, port: number, host: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://127.0.0.1:${bound}` };
}
