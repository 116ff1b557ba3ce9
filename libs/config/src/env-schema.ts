import { z } from 'zod';
import { isIP } from 'node:net';
import { adminPasswordProblem } from './secrets.js';

/**
 * Pieces of the environment schema. Each service composes the pieces it needs, so a service
 * never asks for a dependency it does not use (the gateway has no database URL).
 */
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A switch that stays undefined when unset, for defaults that depend on another setting (RAW_TOKENS on NODE_ENV). */
const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

/**
 * How a service proves itself to NATS and checks the server: one of a user and password, a token, or a
 * `.creds` file (JWT + nkey seed); TLS with a CA of its own and, for mutual TLS, a client certificate. The
 * server's permissions per user (deploy/nats) then decide what each service may publish and subscribe.
 */
export const natsAuthEnv = z.object({
  NATS_URL: z.string().url().default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
  /** Path of a NATS `.creds` file (decentralised auth: a user JWT and its nkey seed). */
  NATS_CREDS: z.string().optional(),
  /** PEM file of the CA that signed the server's certificate; setting it (or NATS_TLS_CERT) turns TLS on. */
  NATS_TLS_CA: z.string().optional(),
  /** PEM files of a client certificate and its key, for servers that verify clients (mutual TLS). */
  NATS_TLS_CERT: z.string().optional(),
  NATS_TLS_KEY: z.string().optional(),
});

export const baseEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...natsAuthEnv.shape,
  /**
   * Every NATS connection reconnects for ever after it is lost: the first retry at once, then after
   * this wait, doubling up to NATS_RECONNECT_MAX_WAIT_MS, each wait with ±20 % jitter so replicas do
   * not come back in step.
   */
  NATS_RECONNECT_WAIT_MS: z.coerce.number().int().min(10).default(500),
  NATS_RECONNECT_MAX_WAIT_MS: z.coerce.number().int().min(10).default(5000),
  /**
   * How long a stopping service has, from SIGTERM to exit (set it to Kubernetes'
   * terminationGracePeriodSeconds × 1000): running jobs finish within it, the rest end with an error
   * a second before it, and the process exits at it whatever is left.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).default(10_000),
  /**
   * An OTLP/HTTP collector (`http://otel-collector:4318`): traces across the bus hops are made and sent to its
   * `/v1/traces` only when this is set. Unset, no tracing code is loaded.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
});

/** The services that take jobs off the bus (conversation, voice). */
export const workerEnv = z.object({
  /** A job whose upstream says nothing for this long gets a heartbeat frame, so the gateway knows the worker is alive. */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().positive().default(1000),
  /**
   * Jobs one replica runs at once (all its job kinds together). At the cap it stops taking jobs from the
   * bus, so they go to other replicas (or the gateway answers 503 at once when none has room).
   */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(256),
});

export const postgresEnv = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/chatgate'),
});

export const redisEnv = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
});

/** Names the usage stream, subject and consumer apart (test stacks); empty in a deployment. */
export const usageStreamEnv = z.object({ USAGE_STREAM_SUFFIX: z.string().regex(/^[A-Za-z0-9_-]*$/).default('') });

/** Each non-HTTP service still serves /health and /metrics on its own port. */
export const healthEnv = (fallbackPort: number) => z.object({ HEALTH_PORT: port(fallbackPort), HOST: z.string().default('0.0.0.0') });

/** Addresses or CIDR ranges (IPv4 or IPv6), comma-separated. */
const corsOrigins = z
  .string()
  .default('')
  .transform((raw) => raw.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean))
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      if (entry === '*') continue;
      const url = URL.canParse(entry) ? new URL(entry) : null;
      const ok = url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
      if (!ok) ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin (scheme://host[:port], no path) or *` });
    }
  });

const trustedProxies = z
  .string()
  .default('')
  .transform((raw) => raw.split(',').map((p) => p.trim()).filter(Boolean))
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      const [address, bits, ...rest] = entry.split('/');
      const family = isIP(address);
      const max = family === 4 ? 32 : 128;
      const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
      if (!family || rest.length || !bitsOk) ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` });
    }
  });

/**
 * The model mapping table (contracts' ModelTable): the gateway reads it to count limits, allow-lists
 * and budgets under the model a request really reaches, the conversation worker to make the request.
 * Both must be given the same values.
 */
export const modelTableEnv = z.object({
  /** JSON object of extra `name → slug` rules (a name matches itself and `name-…`), tried before the built-in table. */
  MODEL_MAP: z.string().optional(),
  DEFAULT_UPSTREAM_MODEL: z.string().default('gpt-4o'),
});

/**
 * API keys' base URLs (the platform upstream) may not point at private, loopback, link-local or
 * metadata addresses, checked when a key is entered (auth) and on every request (conversation).
 */
export const platformAddressEnv = z.object({
  /** Exact `host:port` pairs a key's base URL may reach although they are private (a self-hosted model server; tests). */
  PLATFORM_ALLOW_HOSTS: z.string().default(''),
});

export const gatewayEnv = baseEnv.merge(modelTableEnv).merge(usageStreamEnv).extend({
  PORT: port(5005),
  /** Prometheus `/metrics` of the gateway, on a port of its own (the public PORT never serves it). */
  METRICS_PORT: port(5015),
  HOST: z.string().default('0.0.0.0'),
  API_PREFIX: z.string().default(''),
  MIRROR_API_PREFIX: z.string().default(''),
  ENABLE_MIRROR_API: bool(true),
  /**
   * The largest request body read. A request travels to a worker as one NATS message, so nothing larger than the
   * bus's `max_payload` (1 MiB by default) could be served: the default matches it (raise both together).
   */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** Time to receive a whole request, headers and body (a slow body is cut with 408); the answer, streams included, is not counted. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Time to receive a request's headers (at most REQUEST_TIMEOUT_MS). */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  /** How long a kept-alive connection may wait, idle, for its next request before it is closed. */
  IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(65_000),
  /**
   * Client API requests one principal (a user, else a key, pool code or token) may have running at once on one
   * gateway replica; the next is refused with 429 `too_many_concurrent_requests`. 0: no cap.
   */
  MAX_IN_FLIGHT_PER_PRINCIPAL: z.coerce.number().int().nonnegative().default(64),
  /** A worker that says nothing (no chunk, no heartbeat) for this long is taken for dead. */
  STREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /**
   * Flow control: how many bytes of frames a worker may send ahead of what the client has read (it
   * stops reading its upstream beyond that). Bounds the memory a stream holds in worker and gateway.
   */
  STREAM_WINDOW_BYTES: z.coerce.number().int().min(4096).default(256 * 1024),
  /** A client that reads nothing for this long while a write waits is cut, and its upstream request aborted. */
  CLIENT_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** How long a resolved credential is kept in the gateway; revocation events evict earlier. */
  CREDENTIAL_CACHE_TTL_MS: z.coerce.number().int().positive().default(60_000),
  API_HATD: bool(false),
  HISTORY_DISABLED: bool(false),
  /**
   * The admin API's credential (`Authorization: Bearer <password>`); unset, the admin routes answer 403. A weak
   * or placeholder value stops the gateway at start (see secrets.ts); the message never repeats it.
   */
  ADMIN_PASSWORD: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const problem = value === undefined ? null : adminPasswordProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * Reverse proxies whose `X-Forwarded-For` the gateway believes, comma-separated addresses or CIDR ranges
   * (`10.0.0.0/8, 127.0.0.1`). Unset: none, the client address is the connection's. Never "everyone".
   */
  TRUSTED_PROXIES: trustedProxies,
  /**
   * Browser origins allowed to call the gateway across origins (CORS), comma-separated exact origins
   * (`https://chat.example.com`) or `*` for any. Unset: no CORS headers and preflights unanswered (off).
   */
  CORS_ORIGINS: corsOrigins,
  /**
   * Where the admin API's failed-login counts live, shared by every gateway replica. Not checked at start:
   * without Redis the client API works and admin logins are refused (503) until it is back.
   */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Completion tokens a budget holds for a request without `max_tokens` (settled to the real cost afterwards). */
  BUDGET_HOLD_COMPLETION_TOKENS: z.coerce.number().int().nonnegative().default(4096),
  /** The gateway's public origin (`https://chat.example.com`) for generated file links; unset: taken from each request's Host. */
  PUBLIC_URL: z.string().url().optional(),
});

export const authEnv = baseEnv.merge(postgresEnv).merge(redisEnv).merge(healthEnv(5011)).merge(platformAddressEnv).extend({
  ADMIN_PASSWORD: z.string().optional(),
  /** 32 bytes, base64 or hex: the AES-256-GCM key for tokens at rest. Required outside development and test. */
  TOKEN_ENCRYPTION_KEY: z.string().optional(),
  /** Pool codes, comma-separated: a request whose Bearer is one of them uses the default tenant's pool. */
  AUTHORIZATION: z.string().optional(),
  /** Random (true) or round-robin (false) choice among usable accounts. */
  RANDOM_TOKEN: bool(true),
  CHATGPT_BASE_URL: z.string().default('https://chatgpt.com'),
  /** Token endpoint for current (`rt_`) refresh tokens. */
  CHATGPT_AUTH_URL: z.string().url().default('https://auth.openai.com'),
  /** Token endpoint for legacy (45-character) refresh tokens. */
  CHATGPT_AUTH0_URL: z.string().url().default('https://auth0.openai.com'),
  /** Codex's OAuth issuer: `POST /oauth/token` refreshes Codex logins, `/api/accounts/v1/user-auth-credential/whoami` names `at-` tokens. */
  CODEX_AUTH_URL: z.string().url().default('https://auth.openai.com'),
  /** The OAuth client Codex logins were issued to; a refresh token only refreshes with the client that issued it. */
  CODEX_CLIENT_ID: z.string().min(1).default('app_EMoamEEZ73f0CkXaXp7hrann'),
  /** Cool-down for a 429 that says nothing about when it clears. */
  DEFAULT_COOLDOWN_SEC: z.coerce.number().int().positive().default(300),
  /** An access token closer than this to expiry is refreshed before it is leased. */
  LEASE_REFRESH_MARGIN_SEC: z.coerce.number().int().nonnegative().default(300),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** A non-forced refresh pass at start, and a forced pass every REFRESH_INTERVAL_DAYS at 03:00 in REFRESH_TZ. */
  SCHEDULED_REFRESH: bool(false),
  REFRESH_TZ: z
    .string()
    .default('UTC')
    // Intl throws a RangeError for a zone this runtime does not know.
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Berlin'),
  /** A non-forced pass refreshes the accounts whose access token expires within this many days. */
  REFRESH_MARGIN_DAYS: z.coerce.number().nonnegative().default(5),
  REFRESH_INTERVAL_DAYS: z.coerce.number().int().positive().default(4),
  /** Refreshes one auth replica runs at once. */
  REFRESH_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** Refreshes started per second across all replicas (BullMQ's limiter is shared through Redis). */
  REFRESH_RATE_PER_SEC: z.coerce.number().int().positive().default(20),
  /** Tries per account before a transient failure counts as failed; retries back off exponentially. */
  REFRESH_ATTEMPTS: z.coerce.number().int().positive().default(5),
  REFRESH_BACKOFF_MS: z.coerce.number().int().positive().default(5000),
  /** Path of a YAML file declaring tenants, users, keys and accounts, applied idempotently at start. */
  CHATGATE_BOOTSTRAP: z.string().optional(),
  /** Sent as the `authkey` header on every upstream request (private upstream gateways that require one). */
  AUTH_KEY: z.string().optional(),
  /**
   * Whether a caller's own ChatGPT token (access, refresh or session token) is accepted as the Bearer. Unset:
   * off in production, on elsewhere (see rawTokensEnabled). Off, such a Bearer is a 401 with no upstream call.
   */
  RAW_TOKENS: optionalBool,
  /** The issuer's JSON Web Key Set, which verifies raw access tokens' signatures (cached). */
  CHATGPT_JWKS_URL: z.string().url().default('https://auth.openai.com/.well-known/jwks.json'),
});

/** RAW_TOKENS as set, else on everywhere but production. */
export function rawTokensEnabled(config: Pick<AuthConfig, 'RAW_TOKENS' | 'NODE_ENV'>): boolean {
  return config.RAW_TOKENS ?? config.NODE_ENV !== 'production';
}

/** Schemes an outbound proxy may use: http(s) forward/CONNECT proxies, SOCKS5 with local (socks5) or proxy-side (socks5h) name resolution. */
export const PROXY_SCHEMES = ['http:', 'https:', 'socks5:', 'socks5h:'] as const;

/** A comma-separated list of proxy URLs. The message never repeats the value: proxy URLs may carry credentials. */
const proxyList = z.string().refine(
  (raw) =>
    raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .every((p) => {
        try {
          const url = new URL(p);
          return (PROXY_SCHEMES as readonly string[]).includes(url.protocol) && url.hostname !== '';
        } catch {
          return false;
        }
      }),
  'each entry must be an http://, https://, socks5:// or socks5h:// URL with a host (comma-separated)',
);

export const conversationEnv = baseEnv.merge(postgresEnv).merge(healthEnv(5012)).merge(usageStreamEnv).merge(workerEnv).merge(modelTableEnv).merge(platformAddressEnv).extend({
  /** Accounts tried for one request before the last error goes to the client. */
  RETRY_TIMES: z.coerce.number().int().min(1).max(20).default(3),
  CHATGPT_BASE_URL: z.string().default('https://chatgpt.com'),
  CHATGPT_CONVERSATION_PATH: z.string().default('/backend-api/conversation'),
  /** Ask the upstream for the v1 delta encoding (smaller frames) rather than the legacy format. */
  UPSTREAM_V1_ENCODING: bool(true),
  UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Time allowed before the first byte of the reply, and between two chunks after it. */
  UPSTREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Sent as the `authkey` header on every upstream request (private upstream gateways that require one). */
  AUTH_KEY: z.string().optional(),
  /** Reasoning also shown in `content`, for clients that show nothing else: not at all, in <think> tags, or as a quote. */
  REASONING_INLINE: z.enum(['none', 'think_tags', 'quote']).default('none'),
  /** Seals generated-file links (`/v1/files/<token>`); at least 32 characters, the same on every worker. Required outside development and test. */
  FILE_LINK_SECRET: z.string().min(32).optional(),
  /** How long a generated-file link works. */
  FILE_LINK_TTL_SEC: z.coerce.number().int().positive().default(3600),
  /** Largest generated file a link downloads (fetched by the worker through the account's proxy, streamed to the client). */
  FILE_DOWNLOAD_MAX_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  /** An image generated asynchronously (the stream ends first) is awaited in the conversation this long; 0: not at all. */
  ASYNC_IMAGE_WAIT_SEC: z.coerce.number().int().nonnegative().default(120),
  /** Forward proxy for fetching user-supplied image/file URLs (http://…); the proxy then resolves names. */
  EXPORT_PROXY_URL: z.string().url().optional(),
  /** URLs at the start of the newest user text become uploaded attachments (chat2api's UPLOAD_BY_URL). */
  UPLOAD_BY_URL: bool(false),
  /** Largest image or file taken in, fetched or inline. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  /**
   * The most bytes of images and files one request may load in all (they are held until the job ends):
   * with WORKER_CONCURRENCY, what bounds a worker's memory for inputs. Beyond it the request is a 413.
   */
  UPLOAD_JOB_MAX_BYTES: z.coerce.number().int().positive().default(40 * 1024 * 1024),
  /** Time cap over fetching one user-supplied URL, redirects included. */
  UPLOAD_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** How long a document may stay in upstream indexing before the request fails. */
  UPLOAD_INDEX_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * Exact `host:port` pairs the URL guard trusts even though they resolve to private or loopback addresses (an
   * internal asset server; tests). Empty by default: every private address is refused.
   */
  UPLOAD_ALLOW_HOSTS: z.string().default(''),
  /** Outbound proxies for upstream requests, comma-separated; each account keeps one (sticky). */
  PROXY_URL_POOL: proxyList.optional(),
  /** chat2api's single-proxy name; joined to PROXY_URL_POOL when both are set. */
  PROXY_URL: proxyList.optional(),
  /** A proxy that could not be reached is passed over this long, then tried again. */
  PROXY_COOLOFF_MS: z.coerce.number().int().positive().default(60_000),
  /** How long the models each plan offers (the upstream's /backend-api/models) are kept before asking again. */
  UPSTREAM_MODELS_TTL_MS: z.coerce.number().int().positive().default(10 * 60_000),
  /** The Codex backend that Codex accounts are used on (comma-separated: several bases in turn). */
  CODEX_BASE_URL: z.string().default('https://chatgpt.com/backend-api/codex'),
  /** Sent as `originator` and at the head of the User-Agent, as Codex clients name themselves. */
  CODEX_ORIGINATOR: z
    .string()
    .regex(/^[A-Za-z0-9_. -]{1,64}$/, 'letters, digits, _ . - and spaces, at most 64')
    .default('codex_cli_rs'),
  /** The Codex client version chatgate speaks as (`version` header, User-Agent, `/models?client_version=`). */
  CODEX_CLIENT_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'a version such as 0.125.0')
    .default('0.125.0'),
  /**
   * How long chatgate keeps a `/v1/responses` answer it stores (Codex and ChatGPT accounts: the items
   * `previous_response_id` and `GET /v1/responses/{id}` read; API keys: which key holds it). OpenAI keeps 30 days.
   */
  RESPONSES_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

export const voiceEnv = baseEnv.merge(healthEnv(5013)).merge(usageStreamEnv).merge(workerEnv).extend({
  /** Accounts tried for one request before the last error goes to the client. */
  RETRY_TIMES: z.coerce.number().int().min(1).max(20).default(3),
  CHATGPT_BASE_URL: z.string().default('https://chatgpt.com'),
  CHATGPT_CONVERSATION_PATH: z.string().default('/backend-api/conversation'),
  /** Sent as the `authkey` header on every upstream request (private upstream gateways that require one). */
  AUTH_KEY: z.string().optional(),
  UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Time allowed before the first byte of an answer, and between two chunks after it. */
  UPSTREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Longest piece of text synthesised at once; longer input is split at sentence boundaries. */
  SPEECH_PIECE_CHARS: z.coerce.number().int().min(50).max(4096).default(1000),
  /** Reverse proxy of the voice (WebRTC) host: its host replaces the host of the room `url` (ChatGPT-Mirror's). */
  VOICE_PROXY_URL: z
    .string()
    .optional()
    .refine((v) => {
      if (v === undefined) return true;
      try {
        return new URL(v.includes('://') ? v : `https://${v}`).hostname !== '';
      } catch {
        return false;
      }
    }, 'must be a host (proxy.example.com[:port]) or a URL (wss://proxy.example.com)'),
});

export const usageEnv = baseEnv.merge(postgresEnv).merge(redisEnv).merge(healthEnv(5014)).merge(usageStreamEnv).extend({
  /** The price table as JSON or YAML text (see price-table.ts); public list prices for API models by default. */
  PRICE_TABLE: z.string().optional(),
  /** Or the path of a JSON or YAML file holding it. */
  PRICE_TABLE_FILE: z.string().optional(),
  /**
   * How long JetStream waits for the consumer's ack before it redelivers an event. The consumer
   * keeps the events it holds alive (also while it waits for Postgres), so this matters only when
   * the service dies holding them.
   */
  USAGE_ACK_WAIT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
});

export type NatsAuthConfig = z.infer<typeof natsAuthEnv>;
export type GatewayConfig = z.infer<typeof gatewayEnv>;
export type AuthConfig = z.infer<typeof authEnv>;
export type ConversationConfig = z.infer<typeof conversationEnv>;
export type VoiceConfig = z.infer<typeof voiceEnv>;
export type UsageConfig = z.infer<typeof usageEnv>;
/** What every service's NATS connections are built from. */
export type BusConfig = Pick<z.infer<typeof baseEnv>, 'NATS_URL' | 'NATS_RECONNECT_WAIT_MS' | 'NATS_RECONNECT_MAX_WAIT_MS'> & Partial<NatsAuthConfig>;
