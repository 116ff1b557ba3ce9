import type { RelayFrame, RelayJob, UsageEvent } from '@chatgate/contracts';
import { JobEnding, usageEvent } from '@chatgate/service-kit';
import type { RelayUsageCounts } from './relay-target.js';

export interface RelayTallyEnd {
  job: RelayJob & { usage: NonNullable<RelayJob['usage']> };
  account: { id: string; label: string | null } | null;
  counts: RelayUsageCounts | null;
  cancelled: boolean;
  latencyMs: number;
  at: number;
}

/**
 * Watches the frames a relay job sends and turns them into its usage event: what the client got
 * (the head's status, or the error's), finished, failed or cancelled.
 */
export class RelayTally {
  private readonly ending = new JobEnding();

  observe(frame: RelayFrame): void {
    this.ending.observe(frame);
  }

  event(end: RelayTallyEnd): UsageEvent {
    const { job } = end;
    return usageEvent(job, {
      model: job.usage.model,
      kind: job.usage.kind,
      account: end.account,
      promptTokens: end.counts?.promptTokens,
      completionTokens: end.counts?.completionTokens,
      estimated: end.counts?.estimated,
      ...this.ending.outcome(end.cancelled),
      latencyMs: end.latencyMs,
      at: end.at,
    });
  }
}
