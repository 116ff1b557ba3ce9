import { Pool } from 'undici';
import { rssMb } from './processes.js';
import { ms, summarize, type Summary } from './stats.js';

/**
 * The malformed-input flood of issue 15: many bad requests at once against the gateway, each of a
 * kind that once cost it dearly (one error object per array element, JSON.parse of deep nesting, a
 * stranger's megabyte read and parsed before the 401). Reports the gateway's RSS before and after and
 * how long answers took; every answer must be a 4xx in OpenAI's envelope.
 */
export interface FloodResult {
  requests: number;
  concurrency: number;
  bytesSent: number;
  latency: Summary;
  statuses: Record<string, number>;
  /** Answers that were not a 4xx with OpenAI's envelope (or failed outright). */
  bad: number;
  /** Per kind: its answers' statuses, and answer time p50/p99. */
  byKind: Array<{ kind: string; statuses: Record<string, number>; latency: Summary; codes: Record<string, number> }>;
  rssBefore: number;
  rssAfter: number;
  rssPeak: number;
  seconds: number;
}

const KIB = 1024;

/** `{"messages":[1,1,…]}` of about `bytes`. */
function manyOnes(bytes: number, model?: string): string {
  const head = model ? `{"model":"${model}","messages":[` : '{"messages":[';
  return `${head}${'1,'.repeat(Math.floor((bytes - head.length - 3) / 2))}1]}`;
}

function nested(bytes: number): string {
  const depth = Math.floor((bytes - 16) / 2);
  return `{"messages":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** The kinds sent in turn: [name, bearer (good or not), body]. Bodies stay under the gateway's 1 MiB limit. */
function kinds(goodToken: string): Array<[string, string, string]> {
  return [
    ['[1,1,…] 900 KiB, unknown Bearer', 'not-a-credential', manyOnes(900 * KIB)],
    ['[1,1,…] 900 KiB, valid token, no model', goodToken, manyOnes(900 * KIB)],
    ['[1,1,…] 900 KiB, valid token, model', goodToken, manyOnes(900 * KIB, 'gpt-4o')],
    ['nested 900 KiB, no Bearer', '', nested(900 * KIB)],
    ['nested 900 KiB, valid token', goodToken, nested(900 * KIB)],
    ['broken JSON, valid token', goodToken, '{"model": "gpt-4o", "messages": ['],
    ['1,000 bad content parts, valid token', goodToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: Array.from({ length: 1000 }, () => 1) }] })],
    ['messages not a list, valid token', goodToken, JSON.stringify({ model: 'gpt-4o', messages: 'hello' })],
  ];
}

export async function malformedFlood(gatewayUrl: string, goodToken: string, gatewayPid: number | undefined, opts: { requests: number; concurrency: number }): Promise<FloodResult> {
  const pool = new Pool(gatewayUrl, { connections: opts.concurrency, pipelining: 1 });
  const list = kinds(goodToken);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const perKind = list.map(([kind]) => ({ kind, statuses: {} as Record<string, number>, codes: {} as Record<string, number>, samples: [] as number[] }));
  let bad = 0;
  let bytesSent = 0;
  let next = 0;
  // Warm: the valid token and the unknown Bearer resolved once (cached, as in a running gateway), the code paths run once.
  // Each until it is answered for what it is (a service that has just started may not be listening yet: 503).
  for (const [, bearer, body] of list) {
    for (let attempt = 0; ; attempt++) {
      const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body });
      await res.body.text();
      if (res.statusCode < 500) break;
      if (attempt >= 100) throw new Error(`bench: the gateway still answers ${res.statusCode} after warming up`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const rssBefore = rssMb(gatewayPid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    const now = rssMb(gatewayPid);
    if (now > rssPeak) rssPeak = now;
  }, 50);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.requests) {
        const k = next++ % list.length;
        const [, bearer, body] = list[k];
        const mine = perKind[k];
        const t0 = performance.now();
        try {
          const res = await pool.request({
            method: 'POST',
            path: '/v1/chat/completions',
            headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
            body,
          });
          const text = await res.body.text();
          latencies.push(performance.now() - t0);
          mine.samples.push(performance.now() - t0);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          mine.statuses[res.statusCode] = (mine.statuses[res.statusCode] ?? 0) + 1;
          bytesSent += body.length;
          let enveloped = false;
          try {
            const error = (JSON.parse(text) as { error?: { message?: unknown; code?: unknown } }).error;
            enveloped = typeof error?.message === 'string';
            const code = String(error?.code ?? 'none');
            mine.codes[code] = (mine.codes[code] ?? 0) + 1;
          } catch {
            enveloped = false;
          }
          if (res.statusCode < 400 || res.statusCode >= 500 || !enveloped) bad++;
        } catch {
          latencies.push(performance.now() - t0);
          mine.samples.push(performance.now() - t0);
          statuses.failed = (statuses.failed ?? 0) + 1;
          mine.statuses.failed = (mine.statuses.failed ?? 0) + 1;
          bad++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await pool.close();
  const rssAfter = rssMb(gatewayPid);
  const byKind = perKind.map((k) => ({ kind: k.kind, statuses: k.statuses, codes: k.codes, latency: summarize(k.samples) }));
  return { requests: opts.requests, concurrency: opts.concurrency, bytesSent, latency: summarize(latencies), statuses, bad, byKind, rssBefore, rssAfter, rssPeak: Math.max(rssPeak, rssAfter), seconds };
}

/** The flood's section of BENCHMARKS.md. */
export function floodSection(r: FloodResult): string[] {
  const statuses = Object.entries(r.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ×${n}`)
    .join(', ');
  return [
    '## Malformed-input flood (gateway alone)',
    '',
    `${r.requests} bad requests at concurrency ${r.concurrency} to \`POST /v1/chat/completions\`, ${(r.bytesSent / 2 ** 20).toFixed(0)} MiB in all, eight kinds in turn, after one of each (credentials cached)`,
    '(`[1,1,…]` bodies of 900 KiB with an unknown Bearer, a valid token with and without a model; 900 KiB of nested',
    'arrays with no Bearer and with a valid token; broken JSON; 1,000 bad content parts; `messages` not a list).',
    '`node tools/bench/dist/main.js --only flood` runs this alone.',
    '',
    '| requests | answers | not a 4xx envelope | answer p50 | answer p99 | gateway RSS before | peak | after |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${r.requests} | ${statuses} | ${r.bad} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${r.rssBefore.toFixed(0)} MB | ${r.rssPeak.toFixed(0)} MB | ${r.rssAfter.toFixed(0)} MB |`,
    '',
    '| kind | answers (code) | p50 | p99 |',
    '| --- | --- | ---: | ---: |',
    ...r.byKind.map((k) => `| ${k.kind} | ${Object.entries(k.codes).map(([c, n]) => `${c} ×${n}`).join(', ')} (${Object.entries(k.statuses).map(([s, n]) => `${s} ×${n}`).join(', ')}) | ${ms(k.latency.p50)} | ${ms(k.latency.p99)} |`),
    '',
  ];
}
