import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceName } from '@chatgate/contracts';
import { ConfigError } from '@chatgate/config';
import { createLogger, PinoNestLogger, type Logger } from './logging/logger.js';
import { checkDependencies, DependencyUnreachableError, type DependencyUrls } from './dependencies.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { natsServerOptions, TRANSPORT_SERVER_LINK } from './bus/nats-transport.js';
import { BusLinks } from './bus/bus-links.js';
import type { Server } from 'node:http';
import { ServiceMetrics } from './observability/metrics.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { observeHttp, serveMetrics } from './observability/http.js';
import { flushTracing, startTracing } from './observability/tracing.js';

export interface ServiceBootOptions {
  service: ServiceName;
  logLevel: string;
  dependencies: DependencyUrls;
  /** The root module, built from the already validated config. */
  module: unknown;
  port: number;
  host: string;
  /** Fastify options (body limit, etc.) for services with a public HTTP face. */
  fastify?: ConstructorParameters<typeof FastifyAdapter>[0];
  /** Join the bus as a NestJS microservice (request/reply handlers). */
  microservice?: boolean;
  logger?: Logger;
  /** Last touches before listening (global prefix, error handlers). */
  configure?: (app: NestFastifyApplication) => void;
  /** SHUTDOWN_GRACE_MS: how long a stop may take before the process exits anyway. */
  shutdownGraceMs?: number;
  /**
   * Where `/metrics` is served: unset, on `port` beside the health routes (the services whose only HTTP is
   * HEALTH_PORT); set (the gateway's METRICS_PORT), on a port of its own, so the public port never serves it.
   */
  metricsPort?: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces are made and exported only when it is set. */
  otlpEndpoint?: string;
}

export interface RunningService {
  app: NestFastifyApplication;
  logger: Logger;
  url: string;
  /** How long `close()` may take when the process stops (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /** The service's Prometheus registry and series. */
  metrics: ServiceMetrics;
  /** Where `/metrics` is served (`${metricsUrl}/metrics`). */
  metricsUrl: string;
  close(): Promise<void>;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * The same start-up for every service: check dependencies (one clear line when one is missing),
 * build the app with JSON logs, join the bus in the service's queue group, listen.
 */
export async function bootService(opts: ServiceBootOptions): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(opts.service, opts.logLevel);
  await checkDependencies(opts.dependencies);
  await startTracing(opts.otlpEndpoint, opts.service);
  // One registry per running service (replicas in one process, as in the tests, count apart).
  const metrics = new ServiceMetrics(opts.service);
  const root = { module: ChatgateService, imports: [ObservabilityModule.forRoot(metrics), opts.module as never] };
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    new FastifyAdapter({ ...opts.fastify }),
    { logger: new PinoNestLogger(logger.child({ component: 'nest' })), bufferLogs: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  observeHttp(fastify, { metrics, logger, service: opts.service });
  if (opts.metricsPort === undefined) {
    fastify.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.text()));
  }
  opts.configure?.(app);
  if (opts.microservice !== false) {
    // The transport's server connection is one of the service's bus links (health, reconnect policy).
    const link = app.get(BusLinks, { strict: false }).link(TRANSPORT_SERVER_LINK);
    const server = app.connectMicroservice(natsServerOptions(opts.dependencies.nats, opts.service, link), { inheritAppConfig: true });
    await app.startAllMicroservices();
    link.watch(server.unwrap<NatsConnection>());
  }
  await app.listen(opts.port, opts.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://127.0.0.1:${port}`;
  let metricsUrl = url;
  let metricsServer: Server | undefined;
  if (opts.metricsPort !== undefined) {
    try {
      ({ server: metricsServer, url: metricsUrl } = await serveMetrics(metrics, opts.metricsPort, opts.host));
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  logger.info({ metrics: `${metricsUrl}/metrics`, url }, `chatgate-${opts.service} ready`);
  const close = async () => {
    try {
      await app.close();
    } finally {
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
      await flushTracing();
    }
  };
  return { app, logger, url, shutdownGraceMs: opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS, metrics, metricsUrl, close };
}

/** The root every service is built under: its own module and the observability module (metrics, bus request context). */
@Module({})
class ChatgateService {}

/**
 * For main.ts: boot, stop cleanly on SIGINT/SIGTERM, and turn a missing dependency into one line and
 * exit 1. A stop has SHUTDOWN_GRACE_MS: job workers let running jobs finish within it (and end the
 * rest a moment before it); whatever still holds the process then is cut, so an orchestrator's own
 * grace period (Kubernetes' terminationGracePeriodSeconds, set to the same value) is never overrun.
 */
export async function runService(service: ServiceName, boot: () => Promise<RunningService>): Promise<void> {
  let running: RunningService;
  try {
    running = await boot();
  } catch (err) {
    if (err instanceof DependencyUnreachableError || err instanceof ConfigError) {
      process.stderr.write(`chatgate-${service}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, `chatgate-${service} stopping`);
    const force = setTimeout(() => process.exit(1), running.shutdownGraceMs);
    force.unref();
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
