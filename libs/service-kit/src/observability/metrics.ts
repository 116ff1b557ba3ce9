import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/** Seconds; from a fast bus round trip to a long stream. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const BUS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One service's Prometheus registry (one per running service, so replicas in one process, as in the
 * tests, never share counts) with the series every service has: HTTP requests by route template,
 * bus round trips, jobs sent and run. A service adds its own (auth's pool, usage's consumer) with
 * `counter`, `gauge` and `histogram` on the same registry. Labels are bounded: route templates,
 * subjects with ids cut, job kinds, upstream kinds, failure codes; never a tenant, user or raw URL.
 *
 * Served as `/metrics` on the service's HEALTH_PORT (the gateway: METRICS_PORT), never on the public port.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  /** Requests by method, route template (`unmatched` for no route), status and upstream kind (`none` when not routed). */
  readonly httpRequests: Counter<'method' | 'route' | 'status' | 'upstream'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'upstream'>;
  readonly httpInFlight: Gauge;
  /** From the request's arrival to the first frame of answer (a chat job's first delta). */
  readonly timeToFirstToken: Histogram<'job' | 'upstream'>;
  /** Jobs the gateway has open (streams in flight), by job kind. */
  readonly jobsInFlight: Gauge<'job'>;
  /** Jobs the gateway sent, by how they ended (`ok`, `error` with its code, `cancelled`). */
  readonly jobsSent: Counter<'job' | 'outcome' | 'code'>;
  /** Jobs this worker ran, by how they ended. */
  readonly jobsRun: Counter<'job' | 'outcome'>;
  readonly jobDuration: Histogram<'job'>;
  /** Request/reply round trips on the bus (raw connection and the NestJS transport), by subject. */
  readonly busRequests: Histogram<'subject' | 'outcome'>;
  /** Requests refused before any upstream was asked: limits, key rates, budgets. */
  readonly refusals: Counter<'reason'>;
  /** Usage events this worker published to JetStream, by result. */
  readonly usagePublished: Counter<'result'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'chatgate_' });
    this.httpRequests = this.counter({ name: 'chatgate_http_requests_total', help: 'HTTP requests answered, by method, route template, status and upstream kind', labelNames: ['method', 'route', 'status', 'upstream'] });
    this.httpDuration = this.histogram({ name: 'chatgate_http_request_duration_seconds', help: 'HTTP request duration until the answer ended (a stream: its whole length)', labelNames: ['method', 'route', 'upstream'], buckets: LATENCY_BUCKETS });
    this.httpInFlight = this.gauge({ name: 'chatgate_http_requests_in_flight', help: 'HTTP requests being answered' });
    this.timeToFirstToken = this.histogram({ name: 'chatgate_time_to_first_token_seconds', help: "From a request's arrival to the first frame of its answer", labelNames: ['job', 'upstream'], buckets: LATENCY_BUCKETS });
    this.jobsInFlight = this.gauge({ name: 'chatgate_jobs_in_flight', help: 'Jobs (streams) the gateway has open, by job kind', labelNames: ['job'] });
    this.jobsSent = this.counter({ name: 'chatgate_jobs_sent_total', help: 'Jobs sent to workers, by job kind and outcome (ok, error with its failure code, cancelled)', labelNames: ['job', 'outcome', 'code'] });
    this.jobsRun = this.counter({ name: 'chatgate_worker_jobs_total', help: 'Jobs this worker ran, by job kind and outcome (ok, error, cancelled, crashed)', labelNames: ['job', 'outcome'] });
    this.jobDuration = this.histogram({ name: 'chatgate_worker_job_duration_seconds', help: 'How long this worker ran a job', labelNames: ['job'], buckets: LATENCY_BUCKETS });
    this.busRequests = this.histogram({ name: 'chatgate_bus_request_duration_seconds', help: 'Request/reply round trips on NATS, by subject (ids cut) and outcome', labelNames: ['subject', 'outcome'], buckets: BUS_BUCKETS });
    this.refusals = this.counter({ name: 'chatgate_refusals_total', help: 'Requests refused before the upstream: model limits, key rates (rpm, tpm), budgets', labelNames: ['reason'] });
    this.usagePublished = this.counter({ name: 'chatgate_usage_events_published_total', help: 'Usage events published to JetStream (ok), or held for a retry (deferred), or dropped when the buffer was full', labelNames: ['result'] });
  }

  counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
    return new Histogram({ ...config, registers: [this.registry] });
  }

  /** The Prometheus text exposition of every series. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const UUIDISH = /^[0-9a-f]{8}-?[0-9a-f]{4}|^[0-9a-f]{16,}$|^\d+$/i;

/**
 * A subject as a label: inboxes as `_INBOX`, tokens that are ids (UUIDs, long hex, numbers) as `*`, at most
 * 8 tokens. Chatgate's request subjects are constants; this keeps anything else bounded too.
 */
export function subjectLabel(subject: string): string {
  if (subject.startsWith('_INBOX')) return '_INBOX';
  const tokens = subject.split('.').slice(0, 8);
  return tokens.map((t) => (UUIDISH.test(t) || t.length > 40 ? '*' : t)).join('.');
}
