import type { ChatFrame, ChatJob, ChatUsage, UsageEvent } from '@chatgate/contracts';
import { countUsage } from '../chat/token-counter.js';

/** nginx's "client closed request": what a client that went away was answering to. */
export const CLIENT_CLOSED_STATUS = 499;

export interface TallyEnd {
  job: ChatJob;
  account: { id: string; label: string | null } | null;
  /** The gateway cancelled (its client went away). */
  cancelled: boolean;
  latencyMs: number;
  at: number;
}

/**
 * Watches the frames a job sends and turns them into its one usage event. It sees exactly what
 * reached the gateway, so a cancelled stream is billed for the text already delivered, and a
 * non-streamed reply (delivered only with its end) for none.
 */
export class UsageTally {
  private answer = '';
  private reasoning = '';
  private usage: ChatUsage | null = null;
  private errorStatus: number | null = null;

  observe(frame: ChatFrame): void {
    switch (frame.t) {
      case 'delta':
        if (frame.content) this.answer += frame.content;
        if (frame.reasoning) this.reasoning += frame.reasoning;
        return;
      case 'end':
        this.usage = frame.usage;
        return;
      case 'error':
        this.errorStatus ??= frame.status;
        return;
      default:
        return;
    }
  }

  event(end: TallyEnd): UsageEvent {
    const { job } = end;
    let outcome: UsageEvent['outcome'];
    let status: number;
    let usage: ChatUsage | null = this.usage;
    if (this.usage) {
      outcome = 'ok';
      status = 200;
    } else if (this.errorStatus !== null) {
      outcome = 'error';
      status = this.errorStatus;
    } else if (end.cancelled) {
      outcome = 'cancelled';
      status = CLIENT_CLOSED_STATUS;
    } else {
      // The job ended without a last frame (a crash): the gateway answers 5xx after its idle timeout.
      outcome = 'error';
      status = 500;
    }
    // Nothing delivered, nothing billed; otherwise the delivered text and the prompt that produced it.
    if (!usage && (this.answer || this.reasoning)) usage = countUsage(job.messages, this.answer, this.reasoning);
    return {
      requestId: job.requestId,
      tenantId: job.tenantId,
      userId: job.userId,
      userName: job.userName,
      credentialId: job.credentialId,
      accountId: end.account?.id ?? null,
      accountLabel: end.account?.label ?? null,
      model: job.model,
      kind: 'chat',
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      estimated: usage?.estimated ?? false,
      outcome,
      status,
      latencyMs: Math.round(end.latencyMs * 10) / 10,
      at: end.at,
    };
  }
}
