import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { usageStreamNames } from '@chatgate/contracts';

/** A stack's own usage stream: parallel runs and the dev stack never read each other's events. */
export function newUsageStreamSuffix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/**
 * `nats`: a test's own server — its URL, or its URL and a user allowed to delete streams; the machine's
 * NATS_URL by default.
 */
export async function deleteUsageStream(suffix: string, nats?: string | { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string; NATS_TLS_CA?: string }): Promise<void> {
  const nc = await connect(
    typeof nats === 'object'
      ? { servers: nats.NATS_URL, user: nats.NATS_USER, pass: nats.NATS_PASSWORD, ...(nats.NATS_TLS_CA ? { tls: { caFile: nats.NATS_TLS_CA } } : {}) }
      : { servers: nats ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
  );
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(usageStreamNames(suffix).stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
