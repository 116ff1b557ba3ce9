import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { ACCOUNT_LIMITS, type AccountLimitsEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import type { CodexLimits } from './codex-limits.js';

/** An account's limits are told to auth at most this often, unless they changed. */
export const LIMITS_REPORT_INTERVAL_MS = 5000;
/** Accounts remembered for the throttle; the oldest goes first. */
const MAX_TRACKED = 10_000;

/** What the event says, as a key: an unchanged account within the interval is not told again. */
function signatureOf(limits: CodexLimits): string {
  const w = (x: CodexLimits['primary']) => (x ? `${Math.floor(x.usedPercent)}/${x.windowMinutes}/${x.resetAtSec ?? ''}` : '-');
  return `${limits.plan ?? ''}|${w(limits.primary)}|${w(limits.secondary)}|${limits.credits?.balance ?? ''}|${limits.credits?.hasCredits ?? ''}`;
}

/** The event for auth (`accountLimitsEventSchema`): a window the backend did not report is left out. */
export function limitsEvent(accountId: string, limits: CodexLimits, observedAt: number): AccountLimitsEvent {
  const event: AccountLimitsEvent = { accountId, observedAt, plan: limits.plan };
  if (limits.primary) event.primary = limits.primary;
  if (limits.secondary) event.secondary = limits.secondary;
  if (limits.credits) event.credits = limits.credits;
  return event;
}

/**
 * Tells auth what each Codex answer's `x-codex-*` headers said about its account (fire and forget,
 * `ACCOUNT_LIMITS`), throttled per account: at most one event every LIMITS_REPORT_INTERVAL_MS while
 * nothing changes, at once when something did (a window filled further, a plan changed) or when the
 * answer was a usage limit.
 */
@Injectable()
export class CodexLimitsReporter {
  private readonly last = new Map<string, { at: number; signature: string }>();

  constructor(@Inject(NATS_CONNECTION) private readonly nc: Pick<NatsConnection, 'publish'>) {}

  observed(accountId: string, limits: CodexLimits | null, opts: { force?: boolean; now?: number } = {}): void {
    if (!limits) return;
    const now = opts.now ?? Date.now();
    const signature = signatureOf(limits);
    const previous = this.last.get(accountId);
    if (!opts.force && previous && previous.signature === signature && now - previous.at < LIMITS_REPORT_INTERVAL_MS) return;
    this.last.delete(accountId);
    this.last.set(accountId, { at: now, signature });
    if (this.last.size > MAX_TRACKED) this.last.delete(this.last.keys().next().value!);
    try {
      this.nc.publish(ACCOUNT_LIMITS, encodeJson(limitsEvent(accountId, limits, now)));
    } catch {
      // A closed connection loses one observation; the next answer reports again.
    }
  }
}
