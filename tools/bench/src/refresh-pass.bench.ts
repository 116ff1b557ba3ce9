import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { authEnv, parseConfig } from '@chatgate/config';
import { AccountsService, RefreshPassService, RefreshQueue, startAuth, type RefreshPassView } from '@chatgate/auth';
import { startProcess, stopAll, waitHealthy, type Proc } from './processes.js';

/**
 * A forced refresh pass over many simulated accounts: total time, each account refreshed exactly
 * once (the simulator counts refresh-token exchanges per account), and the rate limit honoured.
 *
 * The simulator runs as a child process; auth runs in this process, because a pass is started
 * through RefreshPassService (no HTTP admin route is used). Accounts are entered through
 * AccountsService.enter with their refresh tokens, the way an admin import does. Auth gets a
 * database of its own (dropped at the end) and a queue keyed by that database in Redis; it joins
 * the bus named by NATS_URL, so run it alone on that bus or point NATS_URL at a private server.
 *
 *   node tools/bench/dist/refresh-pass.bench.js [--accounts 10000] [--rate 100] [--concurrency 8]
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const ACCOUNTS = arg('accounts', 10_000);
const RATE = arg('rate', 100);
const CONCURRENCY = arg('concurrency', 8);
const SIM_PORT = arg('sim-port', 5299);
const SEED_PARALLEL = 32;

interface SimStats {
  tokenRequests: number;
  refreshes: number;
  refreshesByAccount: Record<string, number>;
}

async function parallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function simJson<T>(simUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The most refreshes that finished within any one second (sliding), from the rows' last_refresh_at. */
function maxPerSecond(sortedMs: number[]): number {
  let max = 0;
  let from = 0;
  for (let to = 0; to < sortedMs.length; to++) {
    while (sortedMs[to] - sortedMs[from] >= 1000) from++;
    max = Math.max(max, to - from + 1);
  }
  return max;
}

async function main() {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
  const databaseUrl = new URL(base);
  databaseUrl.pathname = `/chatgate_bench_refresh_${randomBytes(4).toString('hex')}`;
  const procs: Proc[] = [];
  let auth: Awaited<ReturnType<typeof startAuth>> | undefined;
  let db: pg.Client | undefined;
  try {
    procs.push(startProcess(root, 'chatgpt-sim', 'tools/chatgpt-sim/dist/main.js', { PORT: String(SIM_PORT), HOST: '127.0.0.1' }));
    const simUrl = `http://127.0.0.1:${SIM_PORT}`;
    await waitHealthy(`${simUrl}/_sim/stats`);

    auth = await startAuth(
      parseConfig(authEnv, {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: databaseUrl.toString(),
        HEALTH_PORT: '0',
        HOST: '127.0.0.1',
        CHATGPT_BASE_URL: simUrl,
        CHATGPT_AUTH_URL: simUrl,
        CHATGPT_AUTH0_URL: simUrl,
        SCHEDULED_REFRESH: 'false',
        REFRESH_RATE_PER_SEC: String(RATE),
        REFRESH_CONCURRENCY: String(CONCURRENCY),
      }),
    );
    db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    const tenantId: string = (await db.query("SELECT id FROM auth.tenants WHERE slug = 'default'")).rows[0].id;

    // Seed: the simulator issues the accounts, auth enters each refresh token (one exchange each).
    const seedStart = performance.now();
    const tokens: string[] = [];
    await parallel(
      Array.from({ length: ACCOUNTS }, (_, i) => i),
      SEED_PARALLEL,
      async () => {
        tokens.push((await simJson<{ refreshToken: string }>(simUrl, '/_sim/accounts', {})).refreshToken);
      },
    );
    const accounts = auth.app.get(AccountsService);
    await parallel(tokens, SEED_PARALLEL, async (token) => {
      await accounts.enter(tenantId, token);
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const before = new Map<string, string>((await db.query('SELECT id, refresh_token_enc FROM auth.upstream_accounts')).rows.map((r) => [r.id, r.refresh_token_enc]));
    await simJson(simUrl, '/_sim/reset', {});

    // The pass: queued in bulk, then counted by the jobs until done + failed = total.
    const passes = auth.app.get(RefreshPassService);
    const t0 = performance.now();
    const started = await passes.start(true, 'admin');
    if (!started.started) throw new Error(`the pass did not start: ${started.reason}`);
    const enqueueMs = performance.now() - t0;
    let pass: RefreshPassView | null = started.pass;
    while (pass?.status !== 'finished') {
      await new Promise((r) => setTimeout(r, 100));
      pass = await passes.get(started.pass.id);
    }
    const seconds = (performance.now() - t0) / 1000;

    const stats = await simJson<SimStats>(simUrl, '/_sim/stats');
    const perAccount = Object.values(stats.refreshesByAccount);
    const exactlyOnce = perAccount.filter((n) => n === 1).length;
    const after = (await db.query('SELECT id, refresh_token_enc, status, last_refresh_at FROM auth.upstream_accounts')).rows;
    const rotated = after.filter((r) => before.get(r.id) !== r.refresh_token_enc).length;
    const active = after.filter((r) => r.status === 'active').length;
    const finishedAt = after.map((r) => (r.last_refresh_at as Date).getTime()).sort((a, b) => a - b);
    // BullMQ's limiter is a fixed window: at most RATE starts per second from the first job, so N
    // jobs need at least ceil(N / RATE) - 1 whole seconds.
    const floorSeconds = Math.ceil(ACCOUNTS / RATE) - 1;

    const rows: Array<[string, string]> = [
      ['accounts', String(ACCOUNTS)],
      ['REFRESH_RATE_PER_SEC / REFRESH_CONCURRENCY', `${RATE} / ${CONCURRENCY}`],
      ['seeding (issue + enter each refresh token)', `${seedSeconds.toFixed(1)} s`],
      ['pass: queued (select + addBulk)', `${enqueueMs.toFixed(0)} ms`],
      ['pass: total time', `${seconds.toFixed(1)} s`],
      ['pass result (done / failed / total)', `${pass.done} / ${pass.failed} / ${pass.total}`],
      ['observed rate', `${(ACCOUNTS / seconds).toFixed(1)} refreshes/s (limit ${RATE}/s)`],
      ['rate limit honoured (time ≥ fixed-window floor)', `${seconds >= floorSeconds ? 'yes' : 'NO'} (${seconds.toFixed(1)} s ≥ ${floorSeconds} s; N/rate = ${(ACCOUNTS / RATE).toFixed(0)} s)`],
      ['most refreshes finished within any 1 s', String(maxPerSecond(finishedAt))],
      ['upstream token requests / refreshes', `${stats.tokenRequests} / ${stats.refreshes}`],
      ['accounts refreshed exactly once (simulator)', `${exactlyOnce} of ${ACCOUNTS}${perAccount.length - exactlyOnce ? `, ${perAccount.length - exactlyOnce} more than once` : ''}`],
      ['refresh token rotated and stored / status active', `${rotated} / ${active}`],
    ];
    process.stdout.write(`\n| forced refresh pass | value |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\n`);
    const ok = exactlyOnce === ACCOUNTS && stats.tokenRequests === ACCOUNTS && rotated === ACCOUNTS && pass.done === ACCOUNTS && seconds >= floorSeconds;
    if (!ok) process.exitCode = 1;
  } finally {
    await db?.end().catch(() => undefined);
    if (auth) {
      await auth.app.get(RefreshQueue).queue.obliterate({ force: true }).catch(() => undefined);
      await auth.close();
    }
    await stopAll(procs);
    const admin = new URL(base);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${databaseUrl.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  }
}

await main();
