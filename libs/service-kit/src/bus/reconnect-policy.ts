import type { BusConfig } from '@chatgate/config';

/** How a lost NATS connection comes back: for ever, waiting longer between tries as the outage lasts. */
export interface ReconnectPolicy {
  /** The wait after the first failed try. */
  readonly waitMs: number;
  /** The longest wait between two tries. */
  readonly maxWaitMs: number;
}

/** Each wait is this much shorter or longer at random, so replicas that lost the bus together do not retry in step. */
export const RECONNECT_JITTER = 0.2;

export function reconnectPolicyOf(config: Pick<BusConfig, 'NATS_RECONNECT_WAIT_MS' | 'NATS_RECONNECT_MAX_WAIT_MS'>): ReconnectPolicy {
  return { waitMs: config.NATS_RECONNECT_WAIT_MS, maxWaitMs: Math.max(config.NATS_RECONNECT_WAIT_MS, config.NATS_RECONNECT_MAX_WAIT_MS) };
}

/**
 * The wait before the next try, `failed` tries into an outage: none before the first (a server
 * restart is usually over by then), then `waitMs` doubling up to `maxWaitMs`, each ± RECONNECT_JITTER.
 */
export function reconnectDelay(policy: ReconnectPolicy, failed: number, random: () => number = Math.random): number {
  if (failed <= 0) return 0;
  const base = Math.min(policy.maxWaitMs, policy.waitMs * 2 ** Math.min(failed - 1, 30));
  return Math.round(base * (1 + RECONNECT_JITTER * (2 * random() - 1)));
}
