import type { ImageOrder, UpstreamKind, UsageEvent, UsageKind, UsageOutcome } from '@chatgate/contracts';

/** nginx's "client closed request": what a client that went away was answering to. */
export const CLIENT_CLOSED_STATUS = 499;

/** Who asked, as every job and request carries it. */
export interface UsageCaller {
  requestId: string;
  tenantId: string;
  userId: string | null;
  userName: string | null;
  credentialId: string;
}

/** What one request used and how it ended, in the terms of its service. */
export interface UsageFacts {
  /** The model as the client named it. */
  model: string;
  /** The upstream model the mapping table resolved it to (chat on ChatGPT accounts); what limits count and budgets price. */
  resolvedModel?: string;
  kind: UsageKind;
  /** Which kind of upstream served it; absent: a ChatGPT account. */
  upstream?: UpstreamKind;
  /** The pool account or key of the attempt that answered (or the last tried); null for the caller's own token. */
  account: { id: string; label: string | null } | null;
  promptTokens?: number;
  completionTokens?: number;
  /** Counted with a tokenizer because the upstream gave no counts. */
  estimated?: boolean;
  /** Speech: input characters spoken. */
  characters?: number;
  /** Images: how many the answer held, with the size and quality asked (priced per image). */
  images?: ImageOrder;
  outcome: UsageOutcome;
  status: number;
  latencyMs: number;
  at?: number;
}

/** A request's one usage event: the caller's fields, then what it used and how it ended. */
export function usageEvent(caller: UsageCaller, facts: UsageFacts): UsageEvent {
  const event: UsageEvent = {
    requestId: caller.requestId,
    tenantId: caller.tenantId,
    userId: caller.userId,
    userName: caller.userName,
    credentialId: caller.credentialId,
    accountId: facts.account?.id ?? null,
    accountLabel: facts.account?.label ?? null,
    model: facts.model,
    kind: facts.kind,
    promptTokens: facts.promptTokens ?? 0,
    completionTokens: facts.completionTokens ?? 0,
    estimated: facts.estimated ?? false,
    outcome: facts.outcome,
    status: facts.status,
    latencyMs: Math.round(facts.latencyMs * 10) / 10,
    at: facts.at ?? Date.now(),
  };
  if (facts.resolvedModel !== undefined) event.resolvedModel = facts.resolvedModel;
  if (facts.upstream !== undefined) event.upstream = facts.upstream;
  if (facts.characters !== undefined) event.characters = facts.characters;
  if (facts.images !== undefined) event.images = facts.images;
  return event;
}

/**
 * How a job ended for its client, read off the frames it sent: the status of an answer that
 * finished (200, or the relayed head's), the status of an error, or nothing because the client went
 * away. It sees exactly what reached the gateway.
 */
export class JobEnding {
  private headStatus: number | null = null;
  private finished = false;
  private errorStatus: number | null = null;

  /** Every frame the job sends (frames of any protocol: `head`, `end`, `error` are read, the rest ignored). */
  observe(frame: { t: string; status?: number }): void {
    if (frame.t === 'head') this.headStatus ??= frame.status ?? null;
    else if (frame.t === 'end') this.finished = true;
    else if (frame.t === 'error') this.errorStatus ??= frame.status ?? 500;
  }

  /** Whether the job's answer finished (its `end` went out). */
  get ok(): boolean {
    return this.finished;
  }

  outcome(cancelled: boolean): { outcome: UsageOutcome; status: number } {
    if (this.finished) return { outcome: 'ok', status: this.headStatus ?? 200 };
    if (this.errorStatus !== null) return { outcome: 'error', status: this.errorStatus };
    if (cancelled) return { outcome: 'cancelled', status: CLIENT_CLOSED_STATUS };
    // The job ended without a last frame (a crash): the gateway answers 5xx after its idle timeout.
    return { outcome: 'error', status: 500 };
  }
}
