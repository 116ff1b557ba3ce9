import type { BusError, ChatJob } from '@chatgate/contracts';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { UpstreamIdentity } from '../upstream/chatgpt.client.js';
import { outcomeOf } from '@chatgate/service-kit';

export type Attempt = { ok: true; identity: UpstreamIdentity; accountId: string | null; accountLabel: string | null } | { ok: false; failure: BusError };

/** Where each attempt's upstream identity comes from, and what happens when it fails. */
export interface IdentitySource {
  /** Whether another attempt can follow a failure (a pool can rotate; a caller's own token cannot). */
  readonly rotates: boolean;
  next(): Promise<Attempt>;
  /**
   * Tells the source what the last attempt met. Returns a replacement identity for the same
   * account when one is worth trying (a refreshed token after a 401), else null.
   */
  failed(attempt: Attempt & { ok: true }, failure: BusError): Promise<Attempt | null>;
}

/** The caller's own token: one attempt, nothing to rotate to. */
export function ownTokenSource(job: { upstream: Extract<ChatJob['upstream'], { kind: 'chatgpt_access_token' }> }): IdentitySource {
  return {
    rotates: false,
    next: async () => ({ ok: true, identity: { accessToken: job.upstream.accessToken, chatgptAccountId: job.upstream.accountId ?? null, deviceId: null }, accountId: null, accountLabel: null }),
    failed: async () => null,
  };
}

/** A tenant's pool: a new account per attempt, never one this request already tried. */
export function poolSource(job: Pick<ChatJob, 'requestId' | 'upstream'>, tenantId: string, model: string, leases: AccountLeaseClient): IdentitySource {
  const tried: string[] = [];
  const refreshed = new Set<string>();
  // The credential's allowed accounts travel with every lease, so auth never hands out another.
  const allowed = job.upstream.kind === 'pool' ? job.upstream.accountIds : undefined;
  return {
    rotates: true,
    async next() {
      const reply = await leases.lease({ tenantId, model, exclude: tried, requestId: job.requestId, ...(allowed ? { allowed } : {}) });
      if (!reply.ok) return reply;
      tried.push(reply.lease.accountId);
      const { lease } = reply;
      return { ok: true, identity: { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId }, accountId: lease.accountId, accountLabel: lease.label };
    },
    async failed(attempt, failure) {
      const outcome = outcomeOf(failure);
      if (!outcome || !attempt.accountId) return null;
      const reply = await leases.report({
        accountId: attempt.accountId,
        model,
        outcome,
        clearsInSec: failure.retryAfterSec,
        message: failure.error.message.slice(0, 500),
      });
      // A 401 gets one refresh of the same account; anything else moves on to the next account.
      if (outcome !== 'unauthorized' || refreshed.has(attempt.accountId) || !reply.ok || !reply.lease) return null;
      refreshed.add(attempt.accountId);
      const { lease } = reply;
      return { ok: true, identity: { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId }, accountId: lease.accountId, accountLabel: lease.label };
    },
  };
}
