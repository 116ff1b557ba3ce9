import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { replyFor } from '@chatgate/chatgpt-sim';
import { directPath, gatewayPath, platformDirectPath, responsesPath, type Path } from './paths.js';
import { rssMb, startProcess, stopAll, waitHealthy, type Proc } from './processes.js';
import { ms, summarize, type Summary } from './stats.js';
import { leaseLatency } from './lease.js';
import { floodSection, malformedFlood, type FloodResult } from './flood.js';
import pg from 'pg';

/**
 * `npm run bench`: the stack and the simulator as separate processes, then the direct path
 * (client → simulator) and the gateway path (client → gateway → NATS → worker → simulator)
 * measured in the same run. Results go to BENCHMARKS.md as ratios against the direct path.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const QUICK = process.argv.includes('--quick');
/** `--only flood`: start the stack, run only the malformed-input flood, and rewrite only its section of BENCHMARKS.md. */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const FLOOD = { requests: 2000, concurrency: 32 };
const SEQUENTIAL = QUICK ? 200 : 1000;
const WARMUP = QUICK ? 300 : 3000;
const THROUGHPUT_SECONDS = QUICK ? 2 : 6;
/** `--port-offset N`: every port moved by N, so two runs (two worktrees) on one machine do not collide. */
const PORT_OFFSET = process.argv.includes('--port-offset') ? Number(process.argv[process.argv.indexOf('--port-offset') + 1]) : 0;
const PORTS = Object.fromEntries(Object.entries({ sim: 5199, gateway: 5105, auth: 5111, conversation: 5112, voice: 5113, usage: 5114 }).map(([k, v]) => [k, v + PORT_OFFSET])) as Record<'sim' | 'gateway' | 'auth' | 'conversation' | 'voice' | 'usage', number>;
/** The gateway serves /metrics on a port of its own (METRICS_PORT), not its public one. */
const GATEWAY_METRICS_PORT = 5115 + PORT_OFFSET;

const POOL_CODE = 'bench-pool-code';
const ADMIN_PASSWORD = 'bench-admin-password';
const NOTES_MARKER = '<!-- notes: kept across runs -->';

const SHORT = 'bench short [[sim words=20]]';
/** The first requests of a fresh stack, measured before any warm-up: what the first users of a new replica see. */
const FIRST_REQUESTS = 300;
/** The API-key path's model: the routing table sends it to the tenant's keys. */
const PLATFORM_MODEL = 'gpt-4o-mini';
const LONG = 'bench long [[sim words=500 chunks=500]]';
/**
 * How long the stack idles after the load before its memory is read a second time (`BENCH_IDLE_MS`). V8's
 * memory reducer, which gives a burst's heap pages back, waits for a low allocation rate, and its estimate of
 * the rate is updated only by collections, so after a burst it runs on its watchdog: about 100 s after the
 * last collection. Two minutes sees it.
 */
const IDLE_AFTER_LOAD_MS = Number(process.env.BENCH_IDLE_MS ?? 120_000);

async function sequential(path: Path, prompt: string, n: number, stream: boolean, marker?: string) {
  const totals: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await path.request(prompt, stream, marker);
    totals.push(r.total);
    if (r.first !== null) firsts.push(r.first);
  }
  return { total: summarize(totals), first: summarize(firsts) };
}

async function throughput(path: Path, prompt: string, stream: boolean, concurrency: number, seconds: number) {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push((await path.request(prompt, stream)).total);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rps: latencies.length / elapsed, latency: summarize(latencies), errors };
}

interface Row {
  metric: string;
  direct: string;
  gateway: string;
  added: string;
  ratio: string;
  target: string;
}

async function main() {
  const procs: Proc[] = [];
  // A database of its own, so the pool holds exactly the accounts this run imports.
  const baseDb = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
  const benchDb = new URL(baseDb);
  benchDb.pathname = `/chatgate_bench_${Date.now()}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const common = { NODE_ENV: 'production', HOST: '127.0.0.1', DATABASE_URL: benchDb.toString(), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), FILE_LINK_SECRET: 'bench-file-link-secret-0123456789abcdef' };
  try {
    procs.push(startProcess(root, 'chatgpt-sim', 'tools/chatgpt-sim/dist/main.js', { PORT: String(PORTS.sim), HOST: '127.0.0.1' }));
    const simUrl = `http://127.0.0.1:${PORTS.sim}`;
    await waitHealthy(`${simUrl}/_sim/stats`);
    const services: Array<[string, Record<string, string>]> = [
      // The gateway path runs with the caller's own (simulator) token: raw tokens on, verified against the simulator's keys.
      ['auth', { HEALTH_PORT: String(PORTS.auth), AUTHORIZATION: POOL_CODE, CHATGPT_BASE_URL: simUrl, CHATGPT_AUTH_URL: simUrl, CHATGPT_AUTH0_URL: simUrl, RAW_TOKENS: 'true', CHATGPT_JWKS_URL: `${simUrl}/.well-known/jwks.json`, PLATFORM_ALLOW_HOSTS: new URL(simUrl).host }],
      ['conversation', { HEALTH_PORT: String(PORTS.conversation), CHATGPT_BASE_URL: simUrl, PLATFORM_ALLOW_HOSTS: new URL(simUrl).host }],
      ['voice', { HEALTH_PORT: String(PORTS.voice) }],
      ['usage', { HEALTH_PORT: String(PORTS.usage) }],
      ['gateway', { PORT: String(PORTS.gateway), METRICS_PORT: String(GATEWAY_METRICS_PORT), ADMIN_PASSWORD }],
    ];
    for (const [name, env] of services) procs.push(startProcess(root, name, `services/${name}/dist/main.js`, { ...common, ...env }));
    const gatewayUrl = `http://127.0.0.1:${PORTS.gateway}`;
    await waitHealthy(`${gatewayUrl}/health/services`);
    // Every service ready (its dependencies reached), not only the gateway.
    for (const port of [PORTS.auth, PORTS.conversation, PORTS.voice, PORTS.usage]) await waitHealthy(`http://127.0.0.1:${port}/health/ready`);

    const account = (await (await fetch(`${simUrl}/_sim/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: 'plus' }) })).json()) as { accessToken: string };
    const firstWord = replyFor(SHORT).text.split(' ')[0];
    const gatewayPid = procs.find((p) => p.name === 'gateway')?.child.pid;
    const flood = async () => {
      const result = await malformedFlood(gatewayUrl, account.accessToken, gatewayPid, FLOOD);
      process.stdout.write(`flood: ${JSON.stringify(result)}\n`);
      return result;
    };
    if (ONLY === 'flood') {
      writeSection(floodSection(await flood()));
      return;
    }
    if (ONLY) throw new Error(`bench: --only takes flood (got ${ONLY})`);

    const rows: Row[] = [];
    const add = (metric: string, d: number, g: number, unit: 'ms' | 'rps', target = '') => {
      rows.push({
        metric,
        direct: unit === 'ms' ? ms(d) : d.toFixed(0),
        gateway: unit === 'ms' ? ms(g) : g.toFixed(0),
        added: unit === 'ms' ? ms(g - d) : '',
        ratio: unit === 'ms' ? `${(g / d).toFixed(2)}×` : `${((g / d) * 100).toFixed(1)}%`,
        target,
      });
      process.stdout.write(`${metric}: direct ${rows.at(-1)!.direct}, gateway ${rows.at(-1)!.gateway} (${rows.at(-1)!.ratio})\n`);
    };

    // Concurrency 1: no queueing, so the difference is what the gateway path adds.
    const c1 = { direct: directPath(simUrl, account.accessToken, 1), gateway: gatewayPath(gatewayUrl, account.accessToken, 1) };
    // Before any warm-up: the first requests a new stack answers (caches empty, code not yet optimised).
    const cold: Record<string, { total: Summary; first: Summary }> = {};
    for (const p of [c1.direct, c1.gateway]) cold[p.name] = await sequential(p, SHORT, FIRST_REQUESTS, true, firstWord);
    add(`c=1 streamed time to first token p50, first ${FIRST_REQUESTS} requests (no warm-up)`, cold.direct.first.p50, cold.gateway.first.p50, 'ms', 'added ≤ 1 ms');
    add(`c=1 streamed time to first token p99, first ${FIRST_REQUESTS} requests (no warm-up)`, cold.direct.first.p99, cold.gateway.first.p99, 'ms');
    for (const p of [c1.direct, c1.gateway]) await sequential(p, SHORT, WARMUP, false);
    const seq: Record<string, { total: Summary; first: Summary }> = {};
    const ttft: Record<string, { total: Summary; first: Summary }> = {};
    for (const p of [c1.direct, c1.gateway]) seq[p.name] = await sequential(p, SHORT, SEQUENTIAL, false);
    for (const p of [c1.direct, c1.gateway]) ttft[p.name] = await sequential(p, SHORT, SEQUENTIAL, true, firstWord);
    add('c=1 non-streamed p50', seq.direct.total.p50, seq.gateway.total.p50, 'ms', 'added ≤ 1 ms');
    add('c=1 non-streamed p99', seq.direct.total.p99, seq.gateway.total.p99, 'ms', 'added ≤ 3 ms');
    add('c=1 streamed time to first token p50', ttft.direct.first.p50, ttft.gateway.first.p50, 'ms', 'added ≤ 2 ms');
    await c1.direct.close();
    await c1.gateway.close();

    for (const c of [16, 64]) {
      const direct = directPath(simUrl, account.accessToken, c);
      const gateway = gatewayPath(gatewayUrl, account.accessToken, c);
      const d = await throughput(direct, SHORT, false, c, THROUGHPUT_SECONDS);
      const g = await throughput(gateway, SHORT, false, c, THROUGHPUT_SECONDS);
      add(`c=${c} non-streamed requests/s`, d.rps, g.rps, 'rps', '≥ 10% of direct');
      const ds = await throughput(direct, LONG, true, c, THROUGHPUT_SECONDS);
      const gs = await throughput(gateway, LONG, true, c, THROUGHPUT_SECONDS);
      add(`c=${c} 500-chunk stream, time to last token p50`, ds.latency.p50, gs.latency.p50, 'ms');
      add(`c=${c} 500-chunk streams/s`, ds.rps, gs.rps, 'rps', '≥ 10% of direct');
      if (d.errors + g.errors + ds.errors + gs.errors) process.stdout.write(`errors at c=${c}: ${d.errors + g.errors + ds.errors + gs.errors}\n`);
      await direct.close();
      await gateway.close();
    }

    // The pool: import accounts through the admin API, then measure what a lease costs and what the
    // pool path adds over a caller's own token.
    const poolSize = 100;
    const tokens: string[] = [];
    for (let i = 0; i < poolSize; i++) {
      tokens.push(((await (await fetch(`${simUrl}/_sim/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: 'plus' }) })).json()) as { accessToken: string }).accessToken);
    }
    const imported = await fetch(`${gatewayUrl}/admin/v1/accounts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tokens }),
    });
    if (!imported.ok) throw new Error(`bench: import failed with ${imported.status}`);
    const db = new pg.Client({ connectionString: benchDb.toString() });
    await db.connect();
    const tenantId = (await db.query("SELECT id FROM auth.tenants WHERE slug = 'default'")).rows[0].id as string;
    await db.end();
    const lease = await leaseLatency(natsUrl, tenantId, 64, THROUGHPUT_SECONDS);
    leaseRows.push({ metric: `lease, ${poolSize} accounts, 64 concurrent`, p50: lease.latency.p50, p99: lease.latency.p99, rps: lease.rps, errors: lease.errors });
    process.stdout.write(`lease: p50 ${ms(lease.latency.p50)}, p99 ${ms(lease.latency.p99)}, ${lease.rps.toFixed(0)}/s, errors ${lease.errors}\n`);
    const own = gatewayPath(gatewayUrl, account.accessToken, 1);
    const pooled = gatewayPath(gatewayUrl, POOL_CODE, 1);
    await sequential(pooled, SHORT, WARMUP / 3, false);
    await sequential(own, SHORT, WARMUP / 3, false);
    const ownSeq = await sequential(own, SHORT, SEQUENTIAL, false);
    const poolSeq = await sequential(pooled, SHORT, SEQUENTIAL, false);
    rows.push({
      metric: 'c=1 non-streamed p50, pool code (lease per request) vs own token',
      direct: ms(ownSeq.total.p50),
      gateway: ms(poolSeq.total.p50),
      added: ms(poolSeq.total.p50 - ownSeq.total.p50),
      ratio: `${(poolSeq.total.p50 / ownSeq.total.p50).toFixed(2)}×`,
      target: '(direct column: own token through the gateway)',
    });
    await own.close();
    await pooled.close();

    await apiKeyPath(simUrl, gatewayUrl, add);

    const atEnd = procs.map((p) => rssMb(p.child.pid));
    // And once idle: V8 gives a burst's heap back only when its memory reducer runs, some seconds after the load.
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_LOAD_MS));
    const memory = procs.map((p, i) => ({ name: p.name, rss: atEnd[i], idle: rssMb(p.child.pid) }));
    if (process.env.BENCH_HEAP) await printHeaps(procs);
    // Last: it leaves the gateway's heap grown, which the memory table above must not show.
    writeReport(rows, memory, await flood());
  } finally {
    await stopAll(procs);
    await dropDatabase(baseDb, benchDb);
  }
}

type AddRow = (metric: string, direct: number, gateway: number, unit: 'ms' | 'rps', target?: string) => void;

/**
 * The API-key path: client → gateway → relay job → worker (key lease) → the platform API, against
 * the client calling the platform API with the same key. One key, entered through the admin API; the
 * routing table sends PLATFORM_MODEL to the tenant's keys; the pool code is the caller's credential.
 */
async function apiKeyPath(simUrl: string, gatewayUrl: string, add: AddRow) {
  const admin = (path: string, body: unknown) =>
    fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { key } = (await (await fetch(`${simUrl}/_sim/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { key: string };
  const entered = await admin('/admin/v1/accounts/import', { api_keys: [{ key, base_url: `${simUrl}/v1`, name: 'bench key' }] });
  if (!entered.ok) throw new Error(`bench: entering the API key failed with ${entered.status}`);
  const routed = await admin('/admin/v1/routes', { routes: [{ model: PLATFORM_MODEL, upstream: 'platform' }] });
  if (!routed.ok) throw new Error(`bench: setting the routing table failed with ${routed.status}`);

  const direct = platformDirectPath(simUrl, key, PLATFORM_MODEL, 1);
  const gateway = gatewayPath(gatewayUrl, POOL_CODE, 1, PLATFORM_MODEL);
  for (const p of [direct, gateway]) await sequential(p, SHORT, WARMUP / 3, false);
  const seq: Record<string, { total: Summary; first: Summary }> = {};
  for (const p of [direct, gateway]) seq[p.name] = await sequential(p, SHORT, SEQUENTIAL, false);
  add('API key, c=1 non-streamed p50', seq.direct.total.p50, seq.gateway.total.p50, 'ms');
  add('API key, c=1 non-streamed p99', seq.direct.total.p99, seq.gateway.total.p99, 'ms');
  await direct.close();
  await gateway.close();

  const c = 16;
  const many = { direct: platformDirectPath(simUrl, key, PLATFORM_MODEL, c), gateway: gatewayPath(gatewayUrl, POOL_CODE, c, PLATFORM_MODEL) };
  const d = await throughput(many.direct, SHORT, false, c, THROUGHPUT_SECONDS);
  const g = await throughput(many.gateway, SHORT, false, c, THROUGHPUT_SECONDS);
  add(`API key, c=${c} non-streamed requests/s`, d.rps, g.rps, 'rps');
  const ds = await throughput(many.direct, SHORT, true, c, THROUGHPUT_SECONDS);
  const gs = await throughput(many.gateway, SHORT, true, c, THROUGHPUT_SECONDS);
  add(`API key, c=${c} streamed (20 chunks) requests/s`, ds.rps, gs.rps, 'rps');
  await many.direct.close();
  await many.gateway.close();

  // The Responses API with the same key: the dialect most agents speak now; each answer stored (the default).
  const responses = { direct: responsesPath('direct', simUrl, key, PLATFORM_MODEL, 1), gateway: responsesPath('gateway', gatewayUrl, POOL_CODE, PLATFORM_MODEL, 1) };
  for (const p of Object.values(responses)) await sequential(p, SHORT, WARMUP / 3, false);
  const rseq = { direct: await sequential(responses.direct, SHORT, SEQUENTIAL, false), gateway: await sequential(responses.gateway, SHORT, SEQUENTIAL, false) };
  add('API key, /v1/responses stored, c=1 non-streamed p50', rseq.direct.total.p50, rseq.gateway.total.p50, 'ms');
  await responses.direct.close();
  await responses.gateway.close();
  const manyResponses = { direct: responsesPath('direct', simUrl, key, PLATFORM_MODEL, c), gateway: responsesPath('gateway', gatewayUrl, POOL_CODE, PLATFORM_MODEL, c) };
  const rd = await throughput(manyResponses.direct, SHORT, false, c, THROUGHPUT_SECONDS);
  const rg = await throughput(manyResponses.gateway, SHORT, false, c, THROUGHPUT_SECONDS);
  add(`API key, /v1/responses stored, c=${c} non-streamed requests/s`, rd.rps, rg.rps, 'rps');
  await manyResponses.direct.close();
  await manyResponses.gateway.close();
  const errors = d.errors + g.errors + ds.errors + gs.errors + rd.errors + rg.errors;
  if (errors) process.stdout.write(`errors on the API-key path: ${errors}\n`);
}

async function dropDatabase(base: URL, db: URL) {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${db.pathname.slice(1)}" WITH (FORCE)`).catch(() => undefined);
  await client.end();
}

interface LeaseRow {
  metric: string;
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}
const leaseRows: LeaseRow[] = [];

function writeReport(rows: Row[], memory: Array<{ name: string; rss: number; idle: number }>, flood: FloodResult) {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${date}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
    'The simulator, each service and the load generator are separate processes on the same machine, so the',
    'gateway path shares the two cores with everything it talks to. Both paths are measured in the same run;',
    'ratios compare the gateway path with the direct path (client → simulator).',
    '',
    `Sequential samples: ${SEQUENTIAL} per path after ${WARMUP} warm-up requests (the first ${FIRST_REQUESTS} requests of a fresh stack are measured before any warm-up); throughput windows: ${THROUGHPUT_SECONDS} s per path.`,
    '',
    '| metric | direct | gateway | added | gateway / direct | target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.metric} | ${r.direct} | ${r.gateway} | ${r.added} | ${r.ratio} | ${r.target} |`),
    '',
    '## Account lease (worker → auth, raw NATS request/reply)',
    '',
    '| metric | p50 | p99 | leases/s | errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...leaseRows.map((r) => `| ${r.metric} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.rps.toFixed(0)} | ${r.errors} |`),
    '',
    '## Memory after the run (RSS)',
    '',
    `| process | RSS right after the load | RSS ${IDLE_AFTER_LOAD_MS / 1000} s later, idle |`,
    '| --- | ---: | ---: |',
    ...memory.map((m) => `| ${m.name} | ${m.rss.toFixed(0)} MB | ${m.idle.toFixed(0)} MB |`),
    '',
    ...floodSection(flood),
  ];
  const file = join(root, 'BENCHMARKS.md');
  // Everything from the notes marker on is written by people (analysis, profiles) and kept.
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const notes = previous.includes(NOTES_MARKER) ? previous.slice(previous.indexOf(NOTES_MARKER)) : `${NOTES_MARKER}\n`;
  writeFileSync(file, `${lines.join('\n')}\n${notes}`);
  process.stdout.write(`\nwrote ${file}\n`);
}

/** Replaces one generated section of BENCHMARKS.md (from its heading to the next heading or the notes), or adds it before the notes. */
function writeSection(section: string[]) {
  const file = join(root, 'BENCHMARKS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : `${NOTES_MARKER}\n`;
  const heading = section[0];
  const text = `${section.join('\n')}\n`;
  const at = previous.indexOf(heading);
  const marker = previous.indexOf(NOTES_MARKER);
  let next: string;
  if (at >= 0) {
    const rest = previous.slice(at + heading.length);
    const ends = [rest.indexOf('\n## '), rest.indexOf(NOTES_MARKER)].filter((i) => i >= 0);
    const end = ends.length ? at + heading.length + Math.min(...ends) + (rest.indexOf('\n## ') === Math.min(...ends) ? 1 : 0) : previous.length;
    next = previous.slice(0, at) + text + previous.slice(end);
  } else if (marker >= 0) {
    next = previous.slice(0, marker) + text + previous.slice(marker);
  } else {
    next = previous + text;
  }
  writeFileSync(file, next);
  process.stdout.write(`\nwrote ${heading} in ${file}\n`);
}

await main();

/**
 * `BENCH_HEAP=1`: where each service's memory is once idle after the load, from its own /metrics (V8's heap
 * spaces, used and total; what lives outside the heap), to tell a heap that grew from memory outside it.
 */
async function printHeaps(procs: Proc[]): Promise<void> {
  for (const p of procs) process.stdout.write(`mappings ${p.name} (MiB): ${residentByMapping(p.child.pid!)}\n`);
  const pick = /^chatgate_(nodejs_heap_space_size_(used|total)_bytes\{space="(old|new|code|large_object)"|nodejs_heap_size_(used|total)_bytes|nodejs_external_memory_bytes|process_resident_memory_bytes)[{ ]/;
  for (const [name, port] of Object.entries(PORTS)) {
    if (name === 'sim') continue;
    const text = await fetch(`http://127.0.0.1:${name === 'gateway' ? GATEWAY_METRICS_PORT : port}/metrics`).then((r) => r.text(), () => '');
    const lines = text.split('\n').filter((l) => pick.test(l)).map((l) => {
      const value = l.slice(l.lastIndexOf(' ') + 1);
      const metric = l.slice(0, l.lastIndexOf(' ')).replace(/,?service="[^"]*"/, '').replace('{}', '');
      return `${metric.replace('chatgate_', '').replace('nodejs_heap_space_size_', '').replace('_bytes', '')} ${(Number(value) / 2 ** 20).toFixed(0)}`;
    });
    process.stdout.write(`heap ${name} (MiB): ${lines.join(', ') || 'no /metrics'}\n`);
  }
}

/** A process's resident memory by kind of mapping (/proc/PID/smaps): files (the Node binary, libraries), malloc's main heap, anonymous mappings. */
function residentByMapping(pid: number): string {
  const sums = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = name === '' ? 'anonymous' : name.startsWith('/') ? (name.includes('node') ? 'node binary' : 'other files') : name;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(kind, (sums.get(kind) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...sums].filter(([, mb]) => mb >= 1).map(([k, mb]) => `${k} ${mb.toFixed(0)}`).join(', ');
}
