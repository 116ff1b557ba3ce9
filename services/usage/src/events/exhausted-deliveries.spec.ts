import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { usageStreamNames } from '@chatgate/contracts';
import { createLogger } from '@chatgate/service-kit';
import { waitFor } from '@chatgate/testing';
import type { UsageConfig } from '../usage.config.js';
import { ExhaustedDeliveries } from './exhausted-deliveries.listener.js';
import type { Delivery, UsageConsumer } from './usage-consumer.js';

/**
 * Against the real NATS server: a consumer that gives up on a message (max_deliver) says so on the
 * advisory subject the listener follows, and the listener hands the message, read back from the
 * stream by its sequence, to the consumer once more.
 */
describe('ExhaustedDeliveries (JetStream max-deliveries advisory)', () => {
  const suffix = `x${randomBytes(6).toString('hex')}`;
  const { stream, subject, consumer } = usageStreamNames(suffix);
  let nc: NatsConnection;
  let listener: ExhaustedDeliveries;
  const adopted: Delivery[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    // One delivery, one second to ack it: the first unacked delivery is the last.
    await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, ack_wait: 1_000_000_000, max_deliver: 1 });
    const fakeConsumer = { adopt: (d: Delivery) => adopted.push(d) } as unknown as UsageConsumer;
    listener = new ExhaustedDeliveries(nc, { USAGE_STREAM_SUFFIX: suffix } as UsageConfig, createLogger('usage-test', 'silent'), fakeConsumer);
    listener.onApplicationBootstrap();
  });
  afterAll(async () => {
    listener?.onModuleDestroy();
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc?.close();
  });

  it('hands over the event JetStream stopped delivering, bytes and sequence as stored', async () => {
    const js = jetstream(nc);
    const payload = JSON.stringify({ requestId: 'r-exhausted', note: 'held by a service that died' });
    const ack = await js.publish(subject, payload);
    const pull = await js.consumers.get(stream, consumer);
    const pulled = await pull.next({ expires: 2000 });
    expect(pulled?.seq).toBe(ack.seq);
    // Never acknowledged: after the ack wait JetStream would redeliver to the waiting pull (as the
    // usage consumer always has one), but gives up and advises instead.
    expect(await pull.next({ expires: 4000 })).toBeNull();
    await waitFor(() => adopted.length === 1, 'the exhausted event handed over', 5000, 50);
    expect(adopted[0].seq).toBe(ack.seq);
    expect(Buffer.from(adopted[0].data).toString()).toBe(payload);
  }, 20_000);
});
