import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
/** The histogram records the time between its timer's ticks; the lag is what exceeds this. */
const RESOLUTION_MS = 20;

/**
 * How late the event loop has been running timers since the last look (p99 and worst, in ms).
 * Liveness reports it: a loop blocked outright misses the probe's timeout, and one that lags for
 * seconds shows here before it does.
 */
export class EventLoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor() {
    this.histogram.enable();
  }

  /** The delays seen since the previous call, then starts a new window. */
  sample(): { p99Ms: number; maxMs: number } {
    const round = (ns: number) => Math.max(0, +(ns / NS_PER_MS - RESOLUTION_MS).toFixed(1));
    // An empty window (no sample yet) reports NaN/huge sentinels: read it as no delay.
    const seen = this.histogram.count > 0;
    const result = seen ? { p99Ms: round(this.histogram.percentile(99)), maxMs: round(this.histogram.max) } : { p99Ms: 0, maxMs: 0 };
    this.histogram.reset();
    return result;
  }

  stop(): void {
    this.histogram.disable();
  }
}
