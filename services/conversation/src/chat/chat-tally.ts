import type { ChatFrame, ChatJob, ChatUsage, UsageEvent } from '@chatgate/contracts';
import { JobEnding, usageEvent } from '@chatgate/service-kit';
import { countUsage } from '../shared/text/token-counter.js';

export interface TallyEnd {
  job: ChatJob;
  account: { id: string; label: string | null } | null;
  /** The gateway cancelled (its client went away). */
  cancelled: boolean;
  latencyMs: number;
  at: number;
}

/**
 * Watches the frames a chat job sends and turns them into its one usage event. It sees exactly what
 * reached the gateway, so a cancelled stream is billed for the text already delivered, and a
 * non-streamed reply (delivered only with its end) for none.
 */
export class ChatTally {
  private readonly ending = new JobEnding();
  private answer = '';
  private reasoning = '';
  private usage: ChatUsage | null = null;

  observe(frame: ChatFrame): void {
    this.ending.observe(frame);
    if (frame.t === 'delta') {
      if (frame.content) this.answer += frame.content;
      if (frame.reasoning) this.reasoning += frame.reasoning;
    } else if (frame.t === 'end') this.usage = frame.usage;
  }

  event(end: TallyEnd): UsageEvent {
    const { job } = end;
    // Nothing delivered, nothing billed; otherwise the delivered text and the prompt that produced it.
    const usage = this.usage ?? (this.answer || this.reasoning ? countUsage(job.messages, this.answer, this.reasoning) : null);
    return usageEvent(job, {
      model: job.model,
      ...(job.resolvedModel ? { resolvedModel: job.resolvedModel.slug } : {}),
      kind: 'chat',
      account: end.account,
      promptTokens: usage?.prompt_tokens,
      completionTokens: usage?.completion_tokens,
      estimated: usage?.estimated,
      ...this.ending.outcome(end.cancelled),
      latencyMs: end.latencyMs,
      at: end.at,
    });
  }
}
