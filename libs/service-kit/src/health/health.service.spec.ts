import { describe, expect, it } from '@jest/globals';
import type { HealthIndicator } from './health-indicator.js';
import { HealthService } from './health.service.js';

/** A dependency whose check can be switched between answering and failing, counting the checks made. */
class SwitchableDependency implements HealthIndicator {
  checks = 0;
  down = false;
  constructor(readonly name: string) {}
  async check() {
    this.checks++;
    if (this.down) throw new Error(`${this.name} unreachable`);
  }
}

describe('HealthService', () => {
  it('says live without asking any dependency, even while one is down', () => {
    const postgres = new SwitchableDependency('postgres');
    postgres.down = true;
    const health = new HealthService('auth', [postgres]);
    const live = health.live();
    expect(live).toMatchObject({ service: 'auth', ok: true, instance: health.instance });
    expect(live.eventLoopDelayMs.p99).toBeGreaterThanOrEqual(0);
    expect(postgres.checks).toBe(0);
    health.onApplicationShutdown();
  });

  it('is ready only while every dependency answers', async () => {
    const nats = new SwitchableDependency('nats');
    const redis = new SwitchableDependency('redis');
    const health = new HealthService('usage', [nats, redis]);
    expect(await health.ready()).toMatchObject({ ok: true, stopping: false });
    redis.down = true;
    const ready = await health.ready();
    expect(ready.ok).toBe(false);
    expect(ready.dependencies).toEqual([expect.objectContaining({ name: 'nats', ok: true }), expect.objectContaining({ name: 'redis', ok: false, error: 'redis unreachable' })]);
    redis.down = false;
    expect((await health.ready()).ok).toBe(true);
    health.onApplicationShutdown();
  });

  it('stops being ready once the service starts stopping, while staying live', async () => {
    const health = new HealthService('gateway', [new SwitchableDependency('nats')]);
    health.onModuleDestroy();
    expect(await health.ready()).toMatchObject({ ok: false, stopping: true });
    expect(health.live().ok).toBe(true);
    // The dependency report (GET /health, the bus ping) is unchanged by it.
    expect((await health.report()).ok).toBe(true);
    health.onApplicationShutdown();
  });

  it('reports a blocked event loop as lag', async () => {
    const health = new HealthService('conversation', []);
    health.live();
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Let the histogram's timer run once, then block the loop for 200 ms.
    await pause(40);
    const blocked = Date.now();
    while (Date.now() - blocked < 200);
    // The histogram's timer records the block when it next runs, which a loaded machine may put after
    // the first probe: the lag shows in one of the probes that follow, and none may miss it entirely.
    let worst = 0;
    for (let probe = 0; probe < 10 && worst < 150; probe++) {
      await pause(40);
      worst = Math.max(worst, health.live().eventLoopDelayMs.max);
    }
    health.onApplicationShutdown();
    expect(worst).toBeGreaterThanOrEqual(150);
  });
});
