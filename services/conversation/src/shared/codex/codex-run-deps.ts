import type { UsageEvent } from '@chatgate/contracts';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { InputSource, LoadResult } from '../uploads/input-loader.js';
import type { CodexLimits } from './codex-limits.js';

/** What every Codex runner (chat completions, Responses) takes from the worker that runs it. */
export interface CodexRunDeps {
  leases: Pick<AccountLeaseClient, 'lease' | 'report'>;
  limits: { observed(accountId: string, limits: CodexLimits | null, opts?: { force?: boolean }): void };
  /** The worker's SSRF-guarded input loader (images and files by URL become data URLs). */
  loadInputs(sources: InputSource[]): Promise<LoadResult>;
  publishUsage(event: UsageEvent): void;
  retryTimes: number;
  /** Aborted when the client goes away (or the worker shuts down): every upstream request is aborted with it. */
  signal: AbortSignal;
  now?: () => number;
}
