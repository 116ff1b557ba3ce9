import type { ChatJob } from '@chatgate/contracts';
import type { DeliveredUsage } from '../shared/jobs/gateway-jobs.js';
import { countPromptTokens, countReplyTokens } from '../shared/limits/prompt-tokens.js';

/**
 * The part of a chat reply that reached the client, kept for one case: the worker dies mid-reply and
 * the gateway records the request's usage itself, counted as the worker counts it (the prompt, and
 * the answer and reasoning delivered). The tokenizer is loaded only then.
 */
export class DeliveredReply {
  private answer = '';
  private reasoning = '';

  add(content: string | undefined, reasoning: string | undefined): void {
    if (content) this.answer += content;
    if (reasoning) this.reasoning += reasoning;
  }

  async usage(job: ChatJob): Promise<DeliveredUsage> {
    return { model: job.model, kind: 'chat', promptTokens: await countPromptTokens(job.messages), completionTokens: await countReplyTokens(this.answer, this.reasoning) };
  }
}
