import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import type { DependencyStatus, HealthReply } from '@chatgate/contracts';
import type { HealthIndicator } from './health-indicator.js';
import { EventLoopDelay } from './event-loop-delay.js';

const CHECK_TIMEOUT_MS = 1500;

const MB = 2 ** 20;
function memoryMb() {
  const m = process.memoryUsage();
  const round = (bytes: number) => Math.round(bytes / MB);
  return { rss: round(m.rss), heapUsed: round(m.heapUsed), heapTotal: round(m.heapTotal), external: round(m.external) };
}

/** Liveness: the process answers from its event loop. Nothing outside the process is asked. */
export interface LivenessReport {
  service: string;
  instance: string;
  ok: true;
  uptimeSec: number;
  /** Event-loop lag since the previous liveness probe. */
  eventLoopDelayMs: { p99: number; max: number };
}

/** Readiness: the dependency report, not ready while the service is stopping. */
export interface ReadinessReport extends HealthReply {
  stopping: boolean;
}

export class HealthService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly startedAt = Date.now();
  private readonly eventLoop = new EventLoopDelay();
  private stopping = false;
  readonly instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    readonly service: string,
    private readonly indicators: HealthIndicator[],
  ) {}

  /** Every dependency's round trip (GET /health, the bus ping, readiness). */
  async report(): Promise<HealthReply> {
    const dependencies = await Promise.all(this.indicators.map((i) => this.run(i)));
    return {
      service: this.service,
      instance: this.instance,
      ok: dependencies.every((d) => d.ok),
      uptimeSec: this.uptimeSec(),
      dependencies,
      memoryMb: memoryMb(),
    };
  }

  /**
   * The process only: a Postgres, Redis or NATS blip must not fail it, or every replica would be
   * restarted at once for a fault no restart fixes.
   */
  live(): LivenessReport {
    const { p99Ms, maxMs } = this.eventLoop.sample();
    return { service: this.service, instance: this.instance, ok: true, uptimeSec: this.uptimeSec(), eventLoopDelayMs: { p99: p99Ms, max: maxMs } };
  }

  /** Dependencies reachable and not stopping: whether this replica should be sent work. */
  async ready(): Promise<ReadinessReport> {
    const report = await this.report();
    return { ...report, ok: report.ok && !this.stopping, stopping: this.stopping };
  }

  /** From here on readiness fails, so load balancers stop sending work while the service drains. */
  markStopping(): void {
    this.stopping = true;
  }

  onModuleDestroy() {
    this.markStopping();
  }

  onApplicationShutdown() {
    this.eventLoop.stop();
  }

  private uptimeSec() {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }

  private async run(indicator: HealthIndicator): Promise<DependencyStatus> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        indicator.check(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS))),
      ]);
      return { name: indicator.name, ok: true, latencyMs: +(performance.now() - started).toFixed(2), error: null };
    } catch (err) {
      return { name: indicator.name, ok: false, latencyMs: null, error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
