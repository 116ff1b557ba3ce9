import { gatewayEnv, parseConfig, type GatewayConfig } from '@chatgate/config';
import { bootService, createLogger, HEALTH_ROUTES, type RunningService } from '@chatgate/service-kit';
import { apiPrefixOf } from './shared/http/api-prefix.js';
import { GatewayModule } from './app.module.js';

/**
 * CORS for browser clients (CORS_ORIGINS): the listed origins (or any, with `*`) may call with a Bearer
 * and read the answer; preflights are answered with whatever headers they ask for (the SDKs send their
 * own `x-stainless-*`). Never with credentials: a browser's cookies (the mirror page's) stay same-origin.
 */
export function corsOptions(origins: readonly string[]) {
  const any = origins.includes('*');
  return {
    origin: any ? '*' : [...origins],
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  };
}

/** Builds and starts the gateway; main.ts and the tests both start it this way. */
export async function startGateway(config: GatewayConfig = parseConfig(gatewayEnv)): Promise<RunningService> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const running = await bootService({
    service: 'gateway',
    logLevel: config.LOG_LEVEL,
    logger,
    // Redis is deliberately not checked: the client API works without it (only admin logins need it).
    dependencies: { nats: config },
    module: GatewayModule.forRoot(config, logger),
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    // maxParamLength: generated-file links carry a sealed token of a few hundred characters.
    // trustProxy: X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES (never from
    // anyone), so `req.ip`, which the admin limiter and the unknown-key limiter count by, cannot be forged.
    fastify: {
      bodyLimit: config.BODY_LIMIT_BYTES,
      return503OnClosing: true,
      routerOptions: { maxParamLength: 4096 },
      trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    },
    configure: (app) => {
      if (config.CORS_ORIGINS.length) app.enableCors(corsOptions(config.CORS_ORIGINS));
      const prefix = apiPrefixOf(config);
      if (prefix) app.setGlobalPrefix(prefix, { exclude: [...HEALTH_ROUTES, 'health/services'] });
    },
  });
  return running;
}
