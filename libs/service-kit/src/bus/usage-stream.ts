import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { USAGE_DUPLICATE_WINDOW_MS, USAGE_STREAM_MAX_AGE_MS, usageStreamNames } from '@chatgate/contracts';

const NANOS_PER_MS = 1_000_000;

/**
 * Creates the usage stream, or brings an existing one to this configuration. Both the usage
 * service (at boot) and the publisher (when a publish finds no stream) call it, so whichever
 * starts first works; a second caller racing the first just updates to the same config.
 * File storage: events outlive a NATS restart. Only NATS 2.9 features are used.
 */
export async function ensureUsageStream(nc: NatsConnection, suffix: string): Promise<void> {
  const { stream, subject } = usageStreamNames(suffix);
  const jsm = await jetstreamManager(nc);
  const config = {
    name: stream,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: USAGE_STREAM_MAX_AGE_MS * NANOS_PER_MS,
    duplicate_window: USAGE_DUPLICATE_WINDOW_MS * NANOS_PER_MS,
  };
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // An existing stream with another configuration: update it (storage cannot change, and does not).
    if (!/already in use/i.test(err instanceof Error ? err.message : '')) throw err;
    await jsm.streams.update(stream, { subjects: config.subjects, max_age: config.max_age, duplicate_window: config.duplicate_window });
  }
}
