import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { USAGE_LIMIT_TAKE, limitTakeReplySchema, usageEventSchema, usageStreamNames, type LimitTakeRequest, type UsageEvent } from '@chatgate/contracts';
import { startProcess, stopAll, waitHealthy, type Proc } from './processes.js';
import { ms, summarize } from './stats.js';

/**
 * Limits and usage ingestion, in one run, against the usage service as a child process (its own
 * database, dropped at the end; its own JetStream stream via USAGE_STREAM_SUFFIX, deleted at the end):
 *
 * 1. Limit check latency: limit-take requests as the gateway's LimitGate sends them (raw NATS
 *    request/reply on the contract's subject, the reply parsed with the contract's schema), `--concurrency`
 *    in flight for `--seconds`, against a generous limit (the allowed path) across many users.
 * 2. Ingestion: `--events` usage events published to the stream (JetStream publish, msgID = request id,
 *    a bounded number of publishes in flight), timed from the first publish until every row is in
 *    usage.usage_events. Then the rollups must total N, and re-publishing 1,000 request ids must add
 *    nothing (both with the same msgID, which the stream drops, and with a new msgID, which reaches the
 *    consumer and must be dropped by the store).
 *
 * Uses the shared NATS server and Redis: run it under the e2e lock.
 *   flock /tmp/chatgate-e2e.lock node tools/bench/dist/usage.bench.js [--events 100000] [--seconds 6] [--concurrency 64]
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const EVENTS = arg('events', 100_000);
const SECONDS = arg('seconds', 6);
const CONCURRENCY = arg('concurrency', 64);
const HEALTH_PORT = arg('health-port', 5214);
/** `--priced 1`: every event's model has a price, so each stored event also settles budgets in Redis (the worst case). */
const PRICED = arg('priced', 0) === 1;
const WARMUP = 3000;
const LIMIT_USERS = 2000;
const PUBLISH_IN_FLIGHT = 1024;
const REPUBLISH = 1000;
const TAKE_TIMEOUT_MS = 1000; // the gateway's
const LIMIT_TARGET_P99_MS = 2;
const INGEST_TARGET_PER_S = 5000;

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'o3', 'gpt-4.1', 'gpt-5', 'gpt-5-thinking'];

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/**
 * Limit-take latency as the gateway sees it (LimitGate.check: requestJson on USAGE_LIMIT_TAKE). With
 * `budget`, each take also holds in a user budget and a key budget (both with room), as for a
 * principal with both: the same hop, a second Lua script.
 */
async function limitLatency(nc: NatsConnection, tenantId: string, concurrency: number, seconds: number, label: string, budget = false) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const samples: number[] = [];
  let errors = 0;
  let refused = 0;
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const i = n++;
        const request: LimitTakeRequest = {
          requestId: `bench-${tenantId}-${label}-${worker}-${i}`,
          tenantId,
          subject: `user-${i % LIMIT_USERS}`,
          model: MODELS[i % MODELS.length],
          // One generous ChatGPT-Mirror style limit ("per 3 hours") and a daily one: both have room.
          windows: [
            { everyMinutes: 180, count: 1_000_000 },
            { everyMinutes: 1440, count: 10_000_000 },
          ],
        };
        if (budget) {
          request.budget = {
            upstream: 'platform',
            promptTokens: 500,
            maxCompletionTokens: 1000,
            characters: 0,
            subjects: [
              { scope: 'user', key: `user:${tenantId}:user-${i % LIMIT_USERS}`, amountMicroUsd: 1_000_000_000_000, period: 'month' },
              { scope: 'key', key: `key:${tenantId}:key-${i % LIMIT_USERS}`, amountMicroUsd: 1_000_000_000_000, period: 'day' },
            ],
          };
        }
        const t = performance.now();
        try {
          const msg = await nc.request(USAGE_LIMIT_TAKE, encoder.encode(JSON.stringify(request)), { timeout: TAKE_TIMEOUT_MS });
          const reply = limitTakeReplySchema.parse(JSON.parse(decoder.decode(msg.data)));
          samples.push(performance.now() - t);
          if (!reply.ok) errors++;
          else if (!reply.allowed) refused++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { latency: summarize(samples), rps: samples.length / elapsed, errors, refused };
}

/** A realistic spread: tenants, users (some principals without a user), pool accounts or own tokens, models, hours. */
function makeEvents(n: number, runId: string): UsageEvent[] {
  const now = Date.now();
  const tenants = Array.from({ length: 5 }, (_, i) => `bench-${runId}-tenant-${i}`);
  const events: UsageEvent[] = [];
  let seed = 0x2545f491;
  const rand = () => {
    // xorshift32: reproducible spread without Math.random's cost in the loop
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const tenant = Math.floor(rand() * tenants.length);
    const user = Math.floor(rand() ** 2 * 400); // a few heavy users, a long tail
    const hasUser = rand() < 0.95;
    const pooled = rand() < 0.8;
    const account = Math.floor(rand() * 60);
    const r = rand();
    const outcome = r < 0.95 ? 'ok' : r < 0.98 ? 'error' : 'cancelled';
    const kind = rand() < 0.9 ? 'chat' : rand() < 0.5 ? 'speech' : 'voice';
    events.push({
      requestId: `bench-${runId}-${i.toString(36)}-${randomBytes(6).toString('hex')}`,
      tenantId: tenants[tenant],
      userId: hasUser ? `u-${tenant}-${user}` : null,
      userName: hasUser ? `user${tenant}_${user}` : null,
      credentialId: `cred-${tenant}-${hasUser ? user : 1000 + (user % 20)}`,
      accountId: pooled ? `acct-${account}` : null,
      accountLabel: pooled ? `pool${account}@example.com` : null,
      model: MODELS[Math.floor(rand() ** 1.5 * MODELS.length)],
      kind,
      promptTokens: Math.floor(rand() * 4000),
      completionTokens: outcome === 'ok' ? Math.floor(rand() * 1500) : 0,
      estimated: rand() < 0.1,
      outcome,
      status: outcome === 'ok' ? 200 : outcome === 'error' ? 502 : 499,
      latencyMs: Math.round(rand() * 20_000 * 100) / 100,
      at: now - Math.floor(rand() * 48 * 3600_000), // the last two days
    });
  }
  return events;
}

/** JetStream publishes with at most `inFlight` acks outstanding; returns how many the stream called duplicates. */
async function publishAll(js: ReturnType<typeof jetstream>, subject: string, items: Array<{ id: string; data: Uint8Array }>, inFlight: number): Promise<number> {
  let next = 0;
  let duplicates = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        const ack = await js.publish(subject, item.data, { msgID: item.id, timeout: 30_000 });
        if (ack.duplicate) duplicates++;
      }
    }),
  );
  return duplicates;
}

async function count(db: pg.Client): Promise<number> {
  return Number((await db.query('SELECT count(*)::int AS n FROM "usage"."usage_events"')).rows[0].n);
}

async function main() {
  const runId = randomBytes(4).toString('hex');
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
  const benchDb = new URL(base);
  benchDb.pathname = `/chatgate_bench_usage_${runId}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const suffix = `bench${runId}`;
  const names = usageStreamNames(suffix);
  const limitTenant = `bench-${runId}-limits`;
  const procs: Proc[] = [];
  let nc: NatsConnection | undefined;
  let db: pg.Client | undefined;
  try {
    const usage = startProcess(root, 'usage', 'services/usage/dist/main.js', {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: benchDb.toString(),
      REDIS_URL: redisUrl,
      NATS_URL: natsUrl,
      HEALTH_PORT: String(HEALTH_PORT),
      USAGE_STREAM_SUFFIX: suffix,
      ...(PRICED ? { PRICE_TABLE: JSON.stringify({ chatgpt: { '*': { prompt: 2.5, completion: 10, characters: 0.015 } } }) } : {}),
    });
    procs.push(usage);
    await waitHealthy(`http://127.0.0.1:${HEALTH_PORT}/health`);
    nc = await connect({ servers: natsUrl });
    db = new pg.Client({ connectionString: benchDb.toString() });
    await db.connect();

    // 1. Limit checks.
    let warmed = 0;
    while (warmed < WARMUP) warmed += (await limitLatency(nc, limitTenant, CONCURRENCY, 0.5, 'warm')).latency.count;
    const limits = await limitLatency(nc, limitTenant, CONCURRENCY, SECONDS, 'run');
    process.stdout.write(`limit take, ${CONCURRENCY} in flight: p50 ${ms(limits.latency.p50)}, p99 ${ms(limits.latency.p99)}, ${limits.rps.toFixed(0)}/s, refused ${limits.refused}, errors ${limits.errors}\n`);
    const limitsC8 = await limitLatency(nc, limitTenant, 8, 2, 'c8');
    process.stdout.write(`limit take, 8 in flight: p50 ${ms(limitsC8.latency.p50)}, p99 ${ms(limitsC8.latency.p99)}, ${limitsC8.rps.toFixed(0)}/s\n`);
    const limitsC1 = await limitLatency(nc, limitTenant, 1, 2, 'c1');
    process.stdout.write(`limit take, 1 in flight: p50 ${ms(limitsC1.latency.p50)}, p99 ${ms(limitsC1.latency.p99)}, ${limitsC1.rps.toFixed(0)}/s\n`);
    const budgets = await limitLatency(nc, limitTenant, CONCURRENCY, SECONDS, 'budget', true);
    process.stdout.write(`limit take + user and key budget holds, ${CONCURRENCY} in flight: p50 ${ms(budgets.latency.p50)}, p99 ${ms(budgets.latency.p99)}, ${budgets.rps.toFixed(0)}/s, refused ${budgets.refused}, errors ${budgets.errors}\n`);
    const budgetsC1 = await limitLatency(nc, limitTenant, 1, 2, 'budget-c1', true);
    process.stdout.write(`limit take + budget holds, 1 in flight: p50 ${ms(budgetsC1.latency.p50)}, p99 ${ms(budgetsC1.latency.p99)}, ${budgetsC1.rps.toFixed(0)}/s\n`);

    // 2. Ingestion.
    const events = makeEvents(EVENTS, runId);
    for (const e of events.slice(0, 100)) usageEventSchema.parse(e);
    const encoder = new TextEncoder();
    const items = events.map((e) => ({ id: e.requestId, data: encoder.encode(JSON.stringify(e)) }));
    const js = jetstream(nc);
    if ((await count(db)) !== 0) throw new Error('bench: the fresh database already holds usage events');
    const t0 = performance.now();
    const t0Wall = Date.now();
    let publishedAt = 0;
    let publishError: unknown;
    const publishing = publishAll(js, names.subject, items, PUBLISH_IN_FLIGHT).then(
      () => void (publishedAt = performance.now() - t0),
      (err: unknown) => void (publishError = err),
    );
    let stored = 0;
    const progress: Array<[number, number]> = [];
    const limitMs = 300_000;
    while (stored < EVENTS) {
      if (publishError) throw publishError;
      if (performance.now() - t0 > limitMs) throw new Error(`bench: only ${stored} of ${EVENTS} events stored after ${limitMs / 1000} s`);
      await sleep(50);
      stored = await count(db);
      const at = (performance.now() - t0) / 1000;
      if (at - (progress.at(-1)?.[0] ?? 0) >= 1) progress.push([at, stored]);
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    await publishing;
    const ingestRate = EVENTS / ingestSeconds;
    // The poll above can only see the end one count(*) late; the rows' stored_at (the storing transaction's start) bounds it from below.
    const lastStoredMs = Number((await db.query('SELECT extract(epoch FROM max(stored_at)) * 1000 AS t FROM "usage"."usage_events"')).rows[0].t) - t0Wall;
    process.stdout.write(`ingestion: ${EVENTS} published in ${(publishedAt / 1000).toFixed(2)} s (${(EVENTS / (publishedAt / 1000)).toFixed(0)}/s), all stored after ${ingestSeconds.toFixed(2)} s: ${ingestRate.toFixed(0)} events/s (last row's stored_at ${(lastStoredMs / 1000).toFixed(2)} s after the first publish)\n`);
    process.stdout.write(`  stored over time (s, rows): ${progress.map(([s, r]) => `${s.toFixed(1)}:${r}`).join(' ')}\n`);

    const totals = async () => {
      const r = (await db!.query('SELECT coalesce(sum(requests), 0)::bigint AS requests, coalesce(sum(prompt_tokens), 0)::bigint AS prompt, coalesce(sum(completion_tokens), 0)::bigint AS completion, count(*)::int AS rows FROM "usage"."usage_hourly"')).rows[0];
      return { requests: Number(r.requests), prompt: Number(r.prompt), completion: Number(r.completion), rows: Number(r.rows) };
    };
    const expected = { requests: EVENTS, prompt: events.reduce((a, e) => a + e.promptTokens, 0), completion: events.reduce((a, e) => a + e.completionTokens, 0) };
    const rollup = await totals();
    const rollupOk = rollup.requests === expected.requests && rollup.prompt === expected.prompt && rollup.completion === expected.completion;
    process.stdout.write(`rollups: ${rollup.rows} hourly rows, requests ${rollup.requests} (expected ${expected.requests}), prompt tokens ${rollup.prompt} (${expected.prompt}), completion ${rollup.completion} (${expected.completion}): ${rollupOk ? 'ok' : 'MISMATCH'}\n`);

    // Dedup: the same request ids again, (a) with the same msgID (the stream drops them) and (b) with a
    // new msgID, so they reach the consumer and the store's ON CONFLICT must drop them.
    const again = items.slice(0, REPUBLISH);
    const streamDuplicates = await publishAll(js, names.subject, again, 256);
    const bypass = await publishAll(js, names.subject, again.map((it) => ({ id: `${it.id}#replay`, data: it.data })), 256);
    const jsm = await jetstreamManager(nc);
    const drainDeadline = Date.now() + 60_000;
    for (;;) {
      const info = await jsm.consumers.info(names.stream, names.consumer);
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      if (Date.now() > drainDeadline) throw new Error('bench: the consumer did not drain the re-published events');
      await sleep(50);
    }
    const streamInfo = await jsm.streams.info(names.stream);
    const afterRows = await count(db);
    const afterRollup = await totals();
    const dedupOk = streamDuplicates === REPUBLISH && bypass === 0 && afterRows === EVENTS && afterRollup.requests === EVENTS && afterRollup.prompt === expected.prompt;
    process.stdout.write(
      `dedup: same msgID → ${streamDuplicates}/${REPUBLISH} dropped by the stream; new msgID → ${REPUBLISH} delivered (stream holds ${streamInfo.state.messages}), rows ${afterRows}, rollup requests ${afterRollup.requests}: ${dedupOk ? 'ok' : 'FAILED'}\n`,
    );

    // Priced: every event's cost reached its user's all-time counter once, the re-published ones included.
    let spendOk = true;
    let spendLine = '';
    if (PRICED) {
      const expectedSpend = events.filter((e) => e.userId).reduce((a, e) => a + Math.round(e.promptTokens * 2.5 + e.completionTokens * 10), 0);
      const spent = await sumCounters(redisUrl, `chatgate:billing:user:{bench-${runId}-tenant-*}:*:spent:all`);
      spendOk = spent === expectedSpend;
      spendLine = `budget settlement: users' all-time spend in Redis ${spent} µUSD (expected ${expectedSpend}): ${spendOk ? 'ok' : 'MISMATCH'}`;
      process.stdout.write(`${spendLine}\n`);
    }

    const cores = cpus().length;
    const date = new Date().toISOString().slice(0, 10);
    const yes = (ok: boolean) => (ok ? 'met' : 'missed');
    const table = [
      `Measured ${date} by \`node tools/bench/dist/usage.bench.js\`: ${cores} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
      '',
      '| metric | value | target |',
      '| --- | ---: | --- |',
      `| limit take, ${CONCURRENCY} in flight, ${LIMIT_USERS} users, allowed path: p50 | ${ms(limits.latency.p50)} | |`,
      `| limit take, ${CONCURRENCY} in flight: p99 | ${ms(limits.latency.p99)} | ≤ ${LIMIT_TARGET_P99_MS} ms: ${yes(limits.latency.p99 <= LIMIT_TARGET_P99_MS)} |`,
      `| limit take, ${CONCURRENCY} in flight: checks/s (refused / errors) | ${limits.rps.toFixed(0)} (${limits.refused} / ${limits.errors}) | |`,
      `| limit take, 8 in flight: p50 / p99 / checks/s | ${ms(limitsC8.latency.p50)} / ${ms(limitsC8.latency.p99)} / ${limitsC8.rps.toFixed(0)} | |`,
      `| limit take, 1 in flight: p50 / p99 / checks/s | ${ms(limitsC1.latency.p50)} / ${ms(limitsC1.latency.p99)} / ${limitsC1.rps.toFixed(0)} | |`,
      `| limit take + user and key budget holds, ${CONCURRENCY} in flight: p50 / p99 / checks/s | ${ms(budgets.latency.p50)} / ${ms(budgets.latency.p99)} / ${budgets.rps.toFixed(0)} | |`,
      `| limit take + budget holds, 1 in flight: p50 / p99 / checks/s | ${ms(budgetsC1.latency.p50)} / ${ms(budgetsC1.latency.p99)} / ${budgetsC1.rps.toFixed(0)} | |`,
      `| ingestion: ${EVENTS.toLocaleString('en-US')} events published (JetStream, ${PUBLISH_IN_FLIGHT} in flight) | ${(publishedAt / 1000).toFixed(2)} s | |`,
      `| ingestion: first publish → all rows in usage_events (count polled; last row's stored_at) | ${ingestSeconds.toFixed(2)} s (${(lastStoredMs / 1000).toFixed(2)} s) | |`,
      `| ingestion: events/s stored | ${ingestRate.toFixed(0)} | ≥ ${INGEST_TARGET_PER_S}: ${yes(ingestRate >= INGEST_TARGET_PER_S)} |`,
      `| rollup totals (requests, tokens) equal the events | ${rollupOk ? 'yes' : 'no'} (${rollup.rows} hourly rows) | |`,
      `| ${REPUBLISH} request ids re-published (same msgID / new msgID) add nothing | ${dedupOk ? 'yes' : 'no'} (${streamDuplicates} dropped by the stream / ${afterRows - EVENTS} rows added) | |`,
      ...(PRICED ? [`| priced (\`--priced 1\`): every event settles budgets in Redis; spend counted once per request | ${spendOk ? 'yes' : 'no'} | |`] : []),
    ];
    process.stdout.write(`\n${table.join('\n')}\n`);
    if (!rollupOk || !dedupOk || !spendOk) process.exitCode = 1;
  } finally {
    await db?.end().catch(() => undefined);
    if (nc) {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(names.stream).catch(() => undefined);
      await nc.close();
    }
    await stopAll(procs);
    await cleanupRedis(redisUrl, limitTenant, runId);
    await dropDatabase(base, benchDb);
  }
}

/** The sum of every counter matching the pattern (budget spend counters). */
async function sumCounters(url: string, pattern: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) for (const v of await redis.mget(...keys)) total += Number(v ?? 0);
      cursor = next;
    } while (cursor !== '0');
    return total;
  } finally {
    redis.disconnect();
  }
}

/** The limit windows the run made (and any slots released by error events, which touch none). */
async function cleanupRedis(url: string, limitTenant: string, runId: string) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of [`chatgate:usage:limit:{${limitTenant}}:*`, `chatgate:usage:limit:{bench-${runId}-*`, `chatgate:billing:*{bench-${runId}-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch (err) {
    process.stderr.write(`bench: redis cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    redis.disconnect();
  }
}

async function dropDatabase(base: URL, db: URL) {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${db.pathname.slice(1)}" WITH (FORCE)`).catch(() => undefined);
  await client.end();
}

await main();
