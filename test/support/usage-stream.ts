import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { usageStreamNames } from '@chatgate/contracts';

/** A stack's own usage stream: parallel runs and the dev stack never read each other's events. */
export function newUsageStreamSuffix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

export async function deleteUsageStream(suffix: string, natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(usageStreamNames(suffix).stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
