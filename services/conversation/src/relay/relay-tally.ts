import type { RelayFrame, RelayJob, UsageEvent } from '@chatgate/contracts';
import { CLIENT_CLOSED_STATUS } from '../usage/usage-tally.js';
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
  private status: number | null = null;
  private ended = false;
  private errorStatus: number | null = null;

  observe(frame: RelayFrame): void {
    if (frame.t === 'head') this.status = frame.status;
    else if (frame.t === 'end') this.ended = true;
    else if (frame.t === 'error') this.errorStatus ??= frame.status;
  }

  event(end: RelayTallyEnd): UsageEvent {
    let outcome: UsageEvent['outcome'];
    let status: number;
    if (this.ended) {
      outcome = 'ok';
      status = this.status ?? 200;
    } else if (this.errorStatus !== null) {
      outcome = 'error';
      status = this.errorStatus;
    } else if (end.cancelled) {
      outcome = 'cancelled';
      status = CLIENT_CLOSED_STATUS;
    } else {
      // Ended without a last frame (a crash): the gateway answers 5xx after its idle timeout.
      outcome = 'error';
      status = 500;
    }
    const { job } = end;
    return {
      requestId: job.requestId,
      tenantId: job.tenantId,
      userId: job.userId,
      userName: job.userName,
      credentialId: job.credentialId,
      accountId: end.account?.id ?? null,
      accountLabel: end.account?.label ?? null,
      model: job.usage.model,
      kind: job.usage.kind,
      promptTokens: end.counts?.promptTokens ?? 0,
      completionTokens: end.counts?.completionTokens ?? 0,
      estimated: end.counts?.estimated ?? false,
      outcome,
      status,
      latencyMs: Math.round(end.latencyMs * 10) / 10,
      at: end.at,
    };
  }
}
