import type { RelayFrame, RelayJob, RelayTargetName } from '@chatgate/contracts';

/** Token counts a target learnt for the job's usage event (a target that knows none leaves them null). */
export interface RelayUsageCounts {
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
}

/** One relay job as a target sees it: the request, its cancel signal, and where frames go. */
export interface RelayRun {
  readonly job: RelayJob;
  readonly abort: AbortController;
  /** The pool account of the current attempt (for the usage event), null for the caller's own credential. */
  account: { id: string; label: string | null } | null;
  usage: RelayUsageCounts | null;
  /** Frames in contract order: `head`, `data`…, then one `end` or `error` (an `error` alone when nothing was sent). */
  send(frame: RelayFrame): void;
  /** Resolves once the client has read enough (flow control): awaited before reading more of the upstream. */
  drained(): Promise<void>;
}

/**
 * One kind of upstream the relay can reach. A target makes the request (leasing, rotating, swapping
 * credentials as its upstream needs) and sends exactly one `end` or `error` before `run` resolves.
 * Add one by naming it in the contract's `relayTargetSchema` and listing it under RELAY_TARGETS.
 */
export interface RelayTarget {
  readonly name: RelayTargetName;
  run(run: RelayRun): Promise<void>;
}

/** Injection token: every RelayTarget of this worker (a multi-entry list, one per target name). */
export const RELAY_TARGETS = Symbol('RELAY_TARGETS');
