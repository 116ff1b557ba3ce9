import { connect } from '@nats-io/transport-node';
import { summarize, type Summary } from './stats.js';

/**
 * Lease latency as the worker sees it: raw NATS request/reply to the auth service's lease subject,
 * `concurrency` requests in flight for `seconds`. The subject and payload are the contract's
 * (libs/contracts accounts); spelled here because the bench speaks to the bus as an outsider.
 */
export async function leaseLatency(natsUrl: string, tenantId: string, concurrency: number, seconds: number): Promise<{ latency: Summary; rps: number; errors: number }> {
  const nc = await connect({ servers: natsUrl });
  const samples: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let n = 0;
      while (performance.now() < deadline) {
        const payload = JSON.stringify({ tenantId, model: 'gpt-4o', exclude: [], requestId: `bench-${worker}-${n++}` });
        const t = performance.now();
        try {
          const msg = await nc.request('chatgate.auth.account.lease.v1', payload, { timeout: 5000 });
          if (!(msg.json() as { ok: boolean }).ok) errors++;
          samples.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await nc.close();
  return { latency: summarize(samples), rps: samples.length / elapsed, errors };
}
