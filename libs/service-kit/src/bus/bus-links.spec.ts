import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { startNatsServer, waitFor, type TestNatsServer } from '@chatgate/testing';
import { BusLinks, describeDown } from './bus-links.js';
import { reconnectDelay, reconnectPolicyOf, RECONNECT_JITTER } from './reconnect-policy.js';

describe('reconnectDelay', () => {
  const policy = reconnectPolicyOf({ NATS_RECONNECT_WAIT_MS: 500, NATS_RECONNECT_MAX_WAIT_MS: 5000 });

  it('tries at once first, then waits longer each time up to the cap', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((failed) => reconnectDelay(policy, failed, middle))).toEqual([0, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('spreads each wait by the jitter either way', () => {
    expect(reconnectDelay(policy, 1, () => 0)).toBe(500 * (1 - RECONNECT_JITTER));
    expect(reconnectDelay(policy, 1, () => 1)).toBe(500 * (1 + RECONNECT_JITTER));
  });

  it('never lets the cap fall below the first wait', () => {
    expect(reconnectPolicyOf({ NATS_RECONNECT_WAIT_MS: 800, NATS_RECONNECT_MAX_WAIT_MS: 100 })).toEqual({ waitMs: 800, maxWaitMs: 800 });
  });
});

describe('describeDown', () => {
  it('names each link down, since when and how many tries', () => {
    const now = 100_000;
    expect(describeDown([{ name: 'data', state: 'reconnecting', since: now - 12_000, attempts: 14 }, { name: 'transport-server', state: 'disconnected', since: now - 1000, attempts: 0 }], now)).toBe(
      'bus down: data reconnecting for 12 s (14 tries), transport-server disconnected for 1 s',
    );
  });
});

describe('a BusLink against a NATS server that goes away', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  const lines: Array<{ msg: string; link?: string; attempts?: number }> = [];
  let links: BusLinks;

  beforeAll(async () => {
    server = await startNatsServer();
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    links = new BusLinks(reconnectPolicyOf({ NATS_RECONNECT_WAIT_MS: 50, NATS_RECONNECT_MAX_WAIT_MS: 200 }), pino({ level: 'debug' }, sink));
    const link = links.link('data');
    nc = await connect({ servers: server.url, ...link.connectOptions() });
    link.watch(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  it('keeps trying far past the library default of 10 tries, says it is down meanwhile, and comes back', async () => {
    expect(links.down()).toEqual([]);
    await server.stop();
    await waitFor(() => links.down().length === 1, 'the link to be reported down');
    // The library's default gives up after 10 tries; this one must still be trying well after.
    await waitFor(() => (links.down()[0]?.attempts ?? 0) > 15, 'more than 15 reconnect tries', 15_000, 50);
    expect(links.down()[0]).toMatchObject({ name: 'data', state: 'reconnecting' });
    expect(nc.isClosed()).toBe(false);

    await server.start();
    await waitFor(() => links.down().length === 0, 'the link to be up again', 10_000);
    // The same connection works again: a round trip through the server.
    await expect(nc.rtt()).resolves.toBeGreaterThanOrEqual(0);

    const changes = lines.filter((l) => l.link === 'data').map((l) => l.msg);
    // One line per change of state, never one per try.
    expect(changes).toEqual(['NATS connection lost; reconnecting until it is back', 'NATS reconnecting', 'NATS reconnected']);
    expect(lines.find((l) => l.msg === 'NATS reconnected')?.attempts).toBeGreaterThan(15);
  }, 40_000);
});
