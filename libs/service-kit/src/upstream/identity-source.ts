import { outcomeOf, type AccountKind, type AccountLease, type BusError, type UpstreamCredential } from '@chatgate/contracts';
import type { AccountLeases } from './account-lease.client.js';
import { tokenFingerprint } from './token-fingerprint.js';

/** Who an upstream request is made as: one attempt's access token and workspace. */
export interface UpstreamIdentity {
  accessToken: string;
  chatgptAccountId: string | null;
  /** Pool accounts keep theirs in the database; for a caller's own token the client derives one. */
  deviceId: string | null;
}

/**
 * One attempt's identity and the pool account behind it (null ids and lease for a caller's own token),
 * or why there is none. `lease` is auth's whole answer, for kinds that need more than a token (an API
 * key's base URL and style).
 */
export type Attempt =
  | { ok: true; identity: UpstreamIdentity; accountId: string | null; accountLabel: string | null; lease?: AccountLease }
  | { ok: false; failure: BusError };
export type LeasedAttempt = Extract<Attempt, { ok: true }>;

/** Where each attempt's upstream identity comes from, and what happens when one fails. */
export interface IdentitySource {
  /** Whether another attempt can follow a failure (a pool can rotate; a caller's own token cannot). */
  readonly rotates: boolean;
  next(): Promise<Attempt>;
  /**
   * Tells the source what the last attempt met (reported to auth for a pool account). Returns a
   * replacement identity for the same account when one is worth trying (a refreshed token after a
   * 401), else null.
   */
  failed(attempt: LeasedAttempt, failure: BusError, details?: FailureReportDetails): Promise<Attempt | null>;
}

/** What an attempt learnt beyond its failure, for the report to auth. */
export interface FailureReportDetails {
  /** A used-up Codex account (`usage_limited`): when its usage resets, unix seconds. */
  resetsAtSec?: number;
}

/** What a request carries that decides where its accounts come from. */
export interface UpstreamCaller {
  requestId: string;
  upstream: UpstreamCredential;
}

export interface IdentitySourceOptions {
  /** Only this pool account (a continued conversation lives on one account): lease it or none. */
  onlyAccount?: string | null;
  /** Which kind of account to lease (`ACCOUNT_KIND_OF` an UpstreamKind); absent: a ChatGPT login. */
  kind?: AccountKind;
}

function attemptOf(lease: AccountLease): LeasedAttempt {
  return { ok: true, identity: { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId }, accountId: lease.accountId, accountLabel: lease.label, lease };
}

/**
 * The identities of one request, for every upstream-facing service: the caller's own ChatGPT token
 * (one attempt, nothing to rotate to), or a tenant's pool (a new account per attempt, never one this
 * request already tried, within the credential's allowed accounts; a 401 gets one refresh of the
 * same account). `model` is the upstream model whose cool-downs and plan limits steer the lease.
 */
export function identitySourceFor(
  caller: UpstreamCaller,
  model: string,
  leases: AccountLeases,
  options: IdentitySourceOptions = {},
): IdentitySource {
  const upstream = caller.upstream;
  if (upstream.kind === 'chatgpt_access_token') {
    const own: LeasedAttempt = { ok: true, identity: { accessToken: upstream.accessToken, chatgptAccountId: upstream.accountId ?? null, deviceId: null }, accountId: null, accountLabel: null };
    return { rotates: false, next: async () => own, failed: async () => null };
  }
  const tried: string[] = [];
  const refreshed = new Set<string>();
  // The credential's allowed accounts travel with every lease, so auth never hands out another.
  const allowed = options.onlyAccount ? [options.onlyAccount] : upstream.accountIds;
  return {
    rotates: true,
    async next() {
      const reply = await leases.lease({ tenantId: upstream.tenantId, model, exclude: tried, requestId: caller.requestId, ...(allowed ? { allowed } : {}), ...(options.kind ? { kind: options.kind } : {}) });
      if (!reply.ok) return reply;
      tried.push(reply.lease.accountId);
      return attemptOf(reply.lease);
    },
    async failed(attempt, failure, details) {
      const outcome = outcomeOf(failure);
      if (!outcome || !attempt.accountId) return null;
      const refused = outcome === 'unauthorized' ? { refusedTokenSha256: tokenFingerprint(attempt.identity.accessToken) } : {};
      const reply = await leases.report({
        accountId: attempt.accountId,
        model,
        outcome,
        clearsInSec: failure.retryAfterSec,
        ...(details?.resetsAtSec !== undefined ? { resetsAtSec: details.resetsAtSec } : {}),
        message: failure.error.message.slice(0, 500),
        ...refused,
      });
      // A 401 gets one more try of the same account, with the token auth answers (refreshed once, or
      // already refreshed by another request); the second 401 is still reported, so auth sets the
      // account aside, but answers nothing to try; anything else moves on to the next account.
      if (outcome !== 'unauthorized' || refreshed.has(attempt.accountId) || !reply.ok || !reply.lease) return null;
      refreshed.add(attempt.accountId);
      return attemptOf(reply.lease);
    },
  };
}
