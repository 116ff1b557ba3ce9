import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DependencyStatus, HealthReply } from '@chatgate/contracts';
import type { HealthIndicator } from './health-indicator.js';

const CHECK_TIMEOUT_MS = 1500;

const MB = 2 ** 20;
function memoryMb() {
  const m = process.memoryUsage();
  const round = (bytes: number) => Math.round(bytes / MB);
  return { rss: round(m.rss), heapUsed: round(m.heapUsed), heapTotal: round(m.heapTotal), external: round(m.external) };
}

export class HealthService {
  private readonly startedAt = Date.now();
  readonly instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    readonly service: string,
    private readonly indicators: HealthIndicator[],
  ) {}

  async report(): Promise<HealthReply> {
    const dependencies = await Promise.all(this.indicators.map((i) => this.run(i)));
    return {
      service: this.service,
      instance: this.instance,
      ok: dependencies.every((d) => d.ok),
      uptimeSec: Math.round((Date.now() - this.startedAt) / 1000),
      dependencies,
      memoryMb: memoryMb(),
    };
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
