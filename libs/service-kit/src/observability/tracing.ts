import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

export { SpanKind };
export type { Span, Context };

interface TracingRuntime {
  forceFlush(): Promise<void>;
}

let runtime: TracingRuntime | null = null;
let starting: Promise<void> | null = null;

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: the SDK and the OTLP/HTTP exporter are
 * loaded then and only then (dynamic imports), so a service without it loads nothing but the API's no-op
 * and every hook below returns at its first check. Spans: the gateway's HTTP request (server), each job
 * and bus request it sends (producer/client, its W3C `traceparent` in the NATS message's headers), each
 * job and request a service takes off the bus (consumer/server, child of that context). One provider per
 * process (the first service to start names it); each service's spans come from its own tracer
 * (`chatgate-<service>`).
 */
export async function startTracing(endpoint: string | undefined, service: string): Promise<void> {
  if (!endpoint || runtime) return;
  starting ??= (async () => {
    const [{ BasicTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }, { OTLPTraceExporter }, { W3CTraceContextPropagator }, { AsyncLocalStorageContextManager }] = await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/core'),
      import('@opentelemetry/context-async-hooks'),
    ]);
    // The generic endpoint names the collector's base; traces go to its /v1/traces (as the spec says for this variable).
    const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `chatgate-${service}`, 'service.namespace': 'chatgate' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    runtime = provider;
  })();
  await starting;
}

/** Whether spans are made at all (false: every helper here is a no-op). */
export function tracingEnabled(): boolean {
  return runtime !== null;
}

/** Sends the spans still buffered (at a service's stop). */
export async function flushTracing(): Promise<void> {
  await runtime?.forceFlush().catch(() => undefined);
}

/** A span of `service`'s tracer, child of `parent` (default: the active context); undefined while tracing is off. */
export function startSpan(service: string, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean> = {}, parent?: Context): Span | undefined {
  if (!runtime) return undefined;
  return trace.getTracer(`chatgate-${service}`).startSpan(name, { kind, attributes }, parent ?? context.active());
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span | undefined, error?: string): void {
  if (!span) return;
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end();
}

/** Runs `fn` with `span` as the active span (as is, when tracing is off). */
export function withSpan<T>(span: Span | undefined, fn: () => T): T {
  if (!span) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Something headers can be written to and read from: NATS `MsgHdrs`, a plain HTTP headers object. */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
  has?(key: string): boolean;
}

const natsSetter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };
const natsGetter: TextMapGetter<HeaderCarrier | undefined> = {
  get: (carrier, key) => carrier?.get(key) || undefined,
  keys: () => ['traceparent', 'tracestate'],
};

/** Writes `span`'s W3C trace context (`traceparent`, `tracestate`) into headers. */
export function injectTrace(span: Span | undefined, headers: HeaderCarrier): void {
  if (!span) return;
  propagation.inject(trace.setSpan(context.active(), span), headers, natsSetter);
}

/** The trace context a message's headers carry (the active one when none, or when tracing is off). */
export function extractTrace(headers: HeaderCarrier | undefined): Context {
  if (!runtime || !headers) return context.active();
  return propagation.extract(context.active(), headers, natsGetter);
}

/** The trace context of an HTTP request's headers. */
export function extractHttpTrace(headers: Record<string, string | string[] | undefined>): Context {
  if (!runtime) return context.active();
  return propagation.extract(context.active(), headers);
}
