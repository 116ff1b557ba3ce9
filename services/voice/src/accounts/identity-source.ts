import type { AccountLease, BusError, UpstreamCredential } from '@chatgate/contracts';
import type { UpstreamIdentity } from '../upstream/voice-upstream.client.js';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import { outcomeOf } from '@chatgate/service-kit';

export type Attempt = { ok: true; identity: UpstreamIdentity; accountId: string | null; accountLabel: string | null } | { ok: false; failure: BusError };

/**
 * Where each attempt's upstream identity comes from, and what happens when it fails: the caller's
 * own token (one attempt) or a tenant's pool (a new account per attempt, a 401 refreshed once).
 * The conversation worker has the same rotation (a service may not import another).
 */
export interface IdentitySource {
  /** Whether another attempt can follow a failure. */
  readonly rotates: boolean;
  next(): Promise<Attempt>;
  /** Reports the failure; returns a refreshed identity for the same account when worth one more try, else null. */
  failed(attempt: Attempt & { ok: true }, failure: BusError): Promise<Attempt | null>;
}

/** What a request carries that decides where its accounts come from. */
export interface VoiceCaller {
  requestId: string;
  tenantId: string;
  upstream: UpstreamCredential;
}

function fromLease(lease: AccountLease): Attempt {
  return { ok: true, identity: { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId }, accountId: lease.accountId, accountLabel: lease.label };
}

/**
 * `model` is the upstream model whose cool-downs apply: voice requests go to the upstream as
 * model `auto` (the conversation that holds the text, and the voice room's `model_slug`).
 */
export function identitySourceFor(caller: VoiceCaller, model: string, leases: AccountLeaseClient): IdentitySource {
  const upstream = caller.upstream;
  if (upstream.kind === 'chatgpt_access_token') {
    return {
      rotates: false,
      next: async () => ({ ok: true, identity: { accessToken: upstream.accessToken, chatgptAccountId: upstream.accountId ?? null, deviceId: null }, accountId: null, accountLabel: null }),
      failed: async () => null,
    };
  }
  const tried: string[] = [];
  const refreshed = new Set<string>();
  return {
    rotates: true,
    async next() {
      const reply = await leases.lease({ tenantId: upstream.tenantId, model, exclude: tried, requestId: caller.requestId, ...(upstream.accountIds ? { allowed: upstream.accountIds } : {}) });
      if (!reply.ok) return reply;
      tried.push(reply.lease.accountId);
      return fromLease(reply.lease);
    },
    async failed(attempt, failure) {
      const outcome = outcomeOf(failure);
      if (!outcome || !attempt.accountId) return null;
      const reply = await leases.report({ accountId: attempt.accountId, model, outcome, clearsInSec: failure.retryAfterSec, message: failure.error.message.slice(0, 500) });
      if (outcome !== 'unauthorized' || refreshed.has(attempt.accountId) || !reply.ok || !reply.lease) return null;
      refreshed.add(attempt.accountId);
      return fromLease(reply.lease);
    },
  };
}

/**
 * Runs `once` with one identity after another: a failure another account could avoid moves to the
 * next account (up to `retryTimes` accounts; a 401 first gets one refresh of the same account).
 * The result of the first success, or the last failure.
 */
export async function withRotation<T>(
  source: IdentitySource,
  retryTimes: number,
  once: (attempt: Attempt & { ok: true }) => Promise<{ ok: true; value: T } | { ok: false; failure: BusError }>,
): Promise<{ ok: true; value: T } | { ok: false; failure: BusError }> {
  let lastFailure: BusError | null = null;
  for (let accounts = 0; accounts < retryTimes; accounts++) {
    let current: Attempt = await source.next();
    if (!current.ok) {
      // An exhausted pool: a cooling pool's 429 says when it frees up; otherwise the last real error.
      return { ok: false, failure: lastFailure && current.failure.status !== 429 ? lastFailure : current.failure };
    }
    for (;;) {
      const result = await once(current);
      if (result.ok) return result;
      lastFailure = result.failure;
      if (!source.rotates || !outcomeOf(result.failure)) return { ok: false, failure: result.failure };
      const retry: Attempt | null = await source.failed(current, result.failure);
      if (!retry || !retry.ok) break;
      current = retry;
    }
  }
  return { ok: false, failure: lastFailure! };
}
