import { connect } from '@nats-io/transport-node';
import { maskUrl } from '@chatgate/config';
import { natsConnectionOptions, type NatsTarget } from './bus/nats-options.js';

export type DependencyKind = 'postgres' | 'redis' | 'nats';

const LABELS: Record<DependencyKind, { name: string; variable: string }> = {
  postgres: { name: 'PostgreSQL', variable: 'DATABASE_URL' },
  redis: { name: 'Redis', variable: 'REDIS_URL' },
  nats: { name: 'NATS', variable: 'NATS_URL' },
};

export class DependencyUnreachableError extends Error {
  constructor(
    readonly kind: DependencyKind,
    readonly url: string,
    readonly reason: string,
  ) {
    const { name, variable } = LABELS[kind];
    super(
      `cannot reach ${name} at ${maskUrl(url)} (${reason}): start it (e.g. \`docker compose up -d postgres redis nats\`) or set ${variable}`,
    );
  }
}

const CHECK_TIMEOUT_MS = 3000;

function reasonOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return reasonOf(err.errors[0]);
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}

/**
 * Connects to the database and creates it when it does not exist yet, then creates the service's
 * own schema: each service keeps its tables (and its migrations table) in a schema of its own.
 */
export async function preparePostgres(url: string, schema?: string): Promise<void> {
  // Loaded on demand: services without a database never pay for the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    if ((err as { code?: string }).code !== '3D000') throw new DependencyUnreachableError('postgres', url, reasonOf(err));
    await createDatabase(url);
    return preparePostgres(url, schema);
  }
  try {
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
  } catch (err) {
    // Two services creating the same schema at once race on the catalogue; the loser's error is harmless.
    if ((err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 42P04: another service created it first.
    if (code !== '42P04' && code !== '23505') throw new DependencyUnreachableError('postgres', url, reasonOf(err));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: CHECK_TIMEOUT_MS, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new DependencyUnreachableError('redis', url, reasonOf(err));
  } finally {
    redis.disconnect();
  }
}

export async function checkNats(nats: NatsTarget): Promise<void> {
  const options = natsConnectionOptions(nats);
  const url = String(options.servers);
  try {
    const nc = await connect({ ...options, timeout: CHECK_TIMEOUT_MS, maxReconnectAttempts: 0, reconnect: false });
    await nc.close();
  } catch (err) {
    throw new DependencyUnreachableError('nats', url, reasonOf(err));
  }
}

export interface DependencyUrls {
  /** The URL, or the settings with credentials and TLS. */
  nats: NatsTarget;
  postgres?: { url: string; schema: string };
  redis?: string;
}

/** Checks every dependency a service names, in parallel; the first failure says which one and where. */
export async function checkDependencies(deps: DependencyUrls): Promise<void> {
  await Promise.all([
    checkNats(deps.nats),
    deps.postgres ? preparePostgres(deps.postgres.url, deps.postgres.schema) : undefined,
    deps.redis ? checkRedis(deps.redis) : undefined,
  ]);
}
