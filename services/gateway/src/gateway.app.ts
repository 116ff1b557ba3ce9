import { gatewayEnv, parseConfig, type GatewayConfig } from '@chatgate/config';
import { bootService, createLogger, HEALTH_ROUTES, type RunningService } from '@chatgate/service-kit';
import { apiPrefixOf } from './shared/http/api-prefix.js';
import { GatewayModule } from './app.module.js';
import { AdminAuthenticator } from './admin/admin-authenticator.js';
import { authenticateEarly } from './admin/admin-actor.js';
import { CredentialResolver } from './shared/credentials/credential-resolver.service.js';
import { answerClientError, answerFrameworkError, type Answerable } from './shared/errors/framework-errors.js';
import { boundedJsonParser } from './shared/http/json-body.js';
import { InFlightLimiter, installRequestGate } from './shared/http/request-gate.js';

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
    // Timeouts: REQUEST_TIMEOUT_MS to receive a whole request (a slow body is cut), HEADERS_TIMEOUT_MS for its
    // headers, IDLE_TIMEOUT_MS for a kept-alive connection between requests. No timeout on a socket while its
    // answer runs (connectionTimeout 0): a stream, or a model thinking for minutes, is never cut by the server;
    // a client that stops reading is CLIENT_STALL_TIMEOUT_MS's.
    fastify: {
      bodyLimit: config.BODY_LIMIT_BYTES,
      return503OnClosing: true,
      routerOptions: { maxParamLength: 4096 },
      trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.IDLE_TIMEOUT_MS,
      connectionTimeout: 0,
      http: {
        headersTimeout: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS),
        // How often Node checks the two timeouts above (its default, 30 s, would let them run over by as much).
        connectionsCheckingInterval: Math.min(1000, config.HEADERS_TIMEOUT_MS),
      },
      // The router's own refusals (a broken percent escape, an over-long parameter) in OpenAI's envelope.
      frameworkErrors: (error, _req, reply) => answerFrameworkError(error, reply as unknown as Answerable),
      // Node's parser's refusals (malformed framing, the timeouts above) likewise, on the socket.
      clientErrorHandler: answerClientError,
    },
    configure: (app) => {
      if (config.CORS_ORIGINS.length) app.enableCors(corsOptions(config.CORS_ORIGINS));
      const prefix = apiPrefixOf(config);
      if (prefix) app.setGlobalPrefix(prefix, { exclude: [...HEALTH_ROUTES, 'health/services'] });
      const fastify = app.getHttpAdapter().getInstance();
      // JSON bodies: the body limit while reading, the depth check before parsing (Fastify's parser then).
      app.useBodyParser('application/json', { bodyLimit: config.BODY_LIMIT_BYTES }, boundedJsonParser(fastify));
      // The credential before the body: unknown URLs, missing or refused credentials and principals over their
      // in-flight cap are answered before a byte of the body is read.
      const authenticator = app.get(AdminAuthenticator, { strict: false });
      installRequestGate(fastify, {
        prefix,
        credentials: app.get(CredentialResolver, { strict: false }),
        inFlight: new InFlightLimiter(config.MAX_IN_FLIGHT_PER_PRINCIPAL),
        authenticateAdmin: (req, reply) => authenticateEarly(req, reply, authenticator),
      });
    },
  });
  return running;
}
