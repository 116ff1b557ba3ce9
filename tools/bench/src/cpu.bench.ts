import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { replyFor } from '@chatgate/chatgpt-sim';
import pg from 'pg';
import { directPath, gatewayPath, platformDirectPath, responsesPath, type Path } from './paths.js';
import { rssMb, startProcess, stopAll, waitHealthy, type Proc } from './processes.js';
import { summarize } from './stats.js';

/**
 * `node tools/bench/dist/cpu.bench.js [--requests N] [--only first,pool,api-key,responses] [--count-bus] [--nats-pid PID]`: what each process
 * spends per request, for comparing changes on a shared machine where wall-clock numbers drift. The
 * stack as `npm run bench` starts it (its own database, ports 52xx), then the first 300 streamed
 * requests on the ChatGPT path and the API-key path (c=1 and c=16, streamed and not; then its
 * /v1/responses, non-streamed, stored and not), each printing the
 * CPU time (utime + stime from /proc) every process used per request, with latency and requests/s;
 * `--count-bus` also counts the bus messages per request by subject (a wildcard subscriber: it adds
 * load of its own); `--nats-pid` adds the nats-server's CPU. RSS at start and at the end.
 * Set `CPU_PROF=gateway,conversation` to write `--cpu-prof` profiles into ./cpu-profiles.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const REQUESTS = Number(arg('--requests') ?? 1500);
const NATS_PID = Number(arg('--nats-pid') ?? 0);
/** `--only first,pool,api-key,responses`: the groups of rows to run (all by default). */
const ONLY = new Set((arg('--only') ?? 'first,pool,api-key,responses').split(','));
const PORTS = { sim: 5299, gateway: 5205, auth: 5211, conversation: 5212, voice: 5213, usage: 5214 };
const POOL_CODE = 'bench-pool-code';
const ADMIN_PASSWORD = 'bench-admin-password';
const SHORT = 'bench short [[sim words=20]]';
const PLATFORM_MODEL = 'gpt-4o-mini';

/** CPU milliseconds a process has used (Linux: utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main() {
  const procs: Proc[] = [];
  const profiled = new Set((process.env.CPU_PROF ?? '').split(',').filter(Boolean));
  const baseDb = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
  const benchDb = new URL(baseDb);
  benchDb.pathname = `/chatgate_cpu_${Date.now()}`;
  const common = { NODE_ENV: 'production', HOST: '127.0.0.1', DATABASE_URL: benchDb.toString(), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), FILE_LINK_SECRET: 'bench-file-link-secret-0123456789abcdef' };
  let bus: NatsConnection | null = null;
  const tally = new Map<string, number>();
  const start = (name: string, script: string, env: Record<string, string>) =>
    procs.push(startProcess(root, name, script, env, profiled.has(name) ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'cpu-profiles')}`, `--cpu-prof-name=${name}.cpuprofile`] : []));

  async function measure(label: string, n: number, run: () => Promise<string>) {
    if (bus) {
      await bus.flush();
      tally.clear();
    }
    const before = procs.map((p) => cpuMs(p.child.pid!));
    const natsBefore = NATS_PID ? cpuMs(NATS_PID) : 0;
    const extra = await run();
    const per = procs.map((p, i) => `${p.name} ${((cpuMs(p.child.pid!) - before[i]) / n).toFixed(3)}`);
    if (NATS_PID) per.push(`nats-server ${((cpuMs(NATS_PID) - natsBefore) / n).toFixed(3)}`);
    process.stdout.write(`${label}: ${extra}\n  CPU ms/request: ${per.join(', ')}\n`);
    if (bus) {
      await new Promise((r) => setTimeout(r, 300));
      process.stdout.write(`  bus messages/request: ${[...tally].map(([k, v]) => `${k} ${(v / n).toFixed(2)}`).join(', ')}\n`);
    }
  }

  async function load(path: Path, n: number, concurrency: number, stream: boolean): Promise<string> {
    let left = n;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) latencies.push((await path.request(SHORT, stream)).total);
      }),
    );
    return `p50 ${summarize(latencies).p50.toFixed(2)} ms, ${(n / ((performance.now() - started) / 1000)).toFixed(0)} requests/s`;
  }

  try {
    start('chatgpt-sim', 'tools/chatgpt-sim/dist/main.js', { PORT: String(PORTS.sim), HOST: '127.0.0.1' });
    const simUrl = `http://127.0.0.1:${PORTS.sim}`;
    await waitHealthy(`${simUrl}/_sim/stats`);
    const allow = new URL(simUrl).host;
    start('auth', 'services/auth/dist/main.js', { ...common, HEALTH_PORT: String(PORTS.auth), AUTHORIZATION: POOL_CODE, CHATGPT_BASE_URL: simUrl, CHATGPT_AUTH_URL: simUrl, CHATGPT_AUTH0_URL: simUrl, RAW_TOKENS: 'true', CHATGPT_JWKS_URL: `${simUrl}/.well-known/jwks.json`, PLATFORM_ALLOW_HOSTS: allow });
    start('conversation', 'services/conversation/dist/main.js', { ...common, HEALTH_PORT: String(PORTS.conversation), CHATGPT_BASE_URL: simUrl, PLATFORM_ALLOW_HOSTS: allow });
    start('voice', 'services/voice/dist/main.js', { ...common, HEALTH_PORT: String(PORTS.voice) });
    start('usage', 'services/usage/dist/main.js', { ...common, HEALTH_PORT: String(PORTS.usage) });
    start('gateway', 'services/gateway/dist/main.js', { ...common, PORT: String(PORTS.gateway), ADMIN_PASSWORD });
    const gatewayUrl = `http://127.0.0.1:${PORTS.gateway}`;
    await waitHealthy(`${gatewayUrl}/health/services`, 60_000);
    process.stdout.write(`RSS at start (MB): ${procs.map((p) => `${p.name} ${rssMb(p.child.pid).toFixed(0)}`).join(', ')}\n`);
    if (process.argv.includes('--count-bus')) {
      bus = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
      bus.subscribe('>', {
        callback: (_err, msg) => {
          const key = msg.subject.replace(/^(_INBOX[^.]*)\..*/, '$1.*').replace(/\.v1\..*/, '.v1.*').replace(/^\$JS\.ACK\..*/, '$JS.ACK.*');
          tally.set(key, (tally.get(key) ?? 0) + 1);
        },
      });
    }

    const account = (await (await fetch(`${simUrl}/_sim/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: 'plus' }) })).json()) as { accessToken: string };
    // A fresh stack may refuse its very first requests for a moment (BENCHMARKS.md, notes): wait until it answers.
    for (let i = 0; i < 40 && !(await fetch(`${gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${account.accessToken}` } })).ok; i++) await new Promise((r) => setTimeout(r, 250));
    const firstWord = replyFor(SHORT).text.split(' ')[0];
    for (const path of ONLY.has('first') ? [directPath(simUrl, account.accessToken, 1), gatewayPath(gatewayUrl, account.accessToken, 1)] : []) {
      await measure(`ChatGPT path, first 300 streamed (${path.name})`, 300, async () => {
        const firsts: number[] = [];
        for (let i = 0; i < 300; i++) firsts.push((await path.request(SHORT, true, firstWord)).first ?? NaN);
        const s = summarize(firsts);
        // Where the cold cost sits: the p50 of each fifty requests in turn.
        const fifties = Array.from({ length: 6 }, (_, i) => summarize(firsts.slice(i * 50, i * 50 + 50)).p50.toFixed(2));
        return `time to first token p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms; p50 by fifties ${fifties.join(' / ')}`;
      });
      await path.close();
    }

    const admin = (path: string, body: unknown) => fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // The pool: a lease per request (from the worker's snapshot), the conversation recorded for the pool account.
    if (!(await admin('/admin/v1/accounts/import', { tokens: [account.accessToken] })).ok) throw new Error('entering the ChatGPT account failed');
    for (const c of ONLY.has('pool') ? [1, 16] : []) {
      const pool = gatewayPath(gatewayUrl, POOL_CODE, c);
      await measure(`ChatGPT pool, non-streamed, c=${c} (gateway)`, REQUESTS, () => load(pool, REQUESTS, c, false));
      await pool.close();
    }

    const { key } = (await (await fetch(`${simUrl}/_sim/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { key: string };
    if (!(await admin('/admin/v1/accounts/import', { api_keys: [{ key, base_url: `${simUrl}/v1`, name: 'bench key' }] })).ok) throw new Error('entering the API key failed');
    if (!(await admin('/admin/v1/routes', { routes: [{ model: PLATFORM_MODEL, upstream: 'platform' }] })).ok) throw new Error('setting the routing table failed');
    if (ONLY.has('api-key') || ONLY.has('responses')) {
      // Warm, whatever ran before: the rows compare code, not how far the JIT had got.
      const warm = gatewayPath(gatewayUrl, POOL_CODE, 4, PLATFORM_MODEL);
      for (const stream of [false, true]) await load(warm, 1000, 4, stream);
      await warm.close();
      const warmResponses = responsesPath('gateway', gatewayUrl, POOL_CODE, PLATFORM_MODEL, 4);
      await load(warmResponses, 1000, 4, false);
      await warmResponses.close();
    }
    if (ONLY.has('api-key')) {
      for (const stream of [false, true]) {
        for (const c of [1, 16]) {
          for (const path of [platformDirectPath(simUrl, key, PLATFORM_MODEL, c), gatewayPath(gatewayUrl, POOL_CODE, c, PLATFORM_MODEL)]) {
            await measure(`API key, ${stream ? 'streamed' : 'non-streamed'}, c=${c} (${path.name})`, REQUESTS, () => load(path, REQUESTS, c, stream));
            await path.close();
          }
        }
      }
    }
    // The Responses API with the key, non-streamed: stored (the default: the worker records which key holds it) and not.
    for (const store of ONLY.has('responses') ? [true, false] : []) {
      for (const c of [1, 16]) {
        for (const path of [responsesPath('direct', simUrl, key, PLATFORM_MODEL, c, store), responsesPath('gateway', gatewayUrl, POOL_CODE, PLATFORM_MODEL, c, store)]) {
          await measure(`API key /v1/responses, ${store ? 'stored' : 'store: false'}, c=${c} (${path.name})`, REQUESTS, () => load(path, REQUESTS, c, false));
          await path.close();
        }
      }
    }
    process.stdout.write(`RSS at the end (MB): ${procs.map((p) => `${p.name} ${rssMb(p.child.pid).toFixed(0)}`).join(', ')}\n`);
  } finally {
    await bus?.close();
    await stopAll(procs);
    const admin = new URL(baseDb);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${benchDb.pathname.slice(1)}" WITH (FORCE)`).catch(() => undefined);
    await client.end();
  }
}

await main();
