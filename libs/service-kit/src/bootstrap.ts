import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceName } from '@chatgate/contracts';
import { ConfigError } from '@chatgate/config';
import { createLogger, PinoNestLogger, type Logger } from './logging/logger.js';
import { checkDependencies, DependencyUnreachableError, type DependencyUrls } from './dependencies.js';
import { natsServerOptions } from './bus/nats-transport.js';

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
}

export interface RunningService {
  app: NestFastifyApplication;
  logger: Logger;
  url: string;
  close(): Promise<void>;
}

/**
 * The same start-up for every service: check dependencies (one clear line when one is missing),
 * build the app with JSON logs, join the bus in the service's queue group, listen.
 */
export async function bootService(opts: ServiceBootOptions): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(opts.service, opts.logLevel);
  await checkDependencies(opts.dependencies);
  const app = await NestFactory.create<NestFastifyApplication>(
    opts.module as never,
    new FastifyAdapter({ ...opts.fastify }),
    { logger: new PinoNestLogger(logger.child({ component: 'nest' })), bufferLogs: false },
  );
  opts.configure?.(app);
  if (opts.microservice !== false) {
    app.connectMicroservice(natsServerOptions(opts.dependencies.nats, opts.service), { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(opts.port, opts.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, `chatgate-${opts.service} ready`);
  return { app, logger, url, close: () => app.close() };
}

/** For main.ts: boot, stop cleanly on SIGINT/SIGTERM, and turn a missing dependency into one line and exit 1. */
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
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
