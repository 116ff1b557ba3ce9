import type { BusError, ChatJob } from '@chatgate/contracts';

// What a chat job asks of the conversation records, and what it leaves them: defined here, beside
// the records that answer it, so the chat feature depends on the records and not the reverse.

/** An upstream conversation a job continues, on the pool account that holds it (null: the job's own identity). */
export interface Continuation {
  conversationId: string;
  parentMessageId: string;
  accountId: string | null;
}

/** A turn the upstream finished with history on. */
export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  /** The answer as the client received it. */
  answer: string;
  title: string | null;
  accountId: string | null;
}

export interface ConversationHooks {
  /** The conversation to continue, null to run the job as sent, or why the job may not run (another user's conversation). */
  continuation(job: ChatJob): Promise<Continuation | { refused: BusError } | null>;
  /** Called right after the `end` frame and not awaited: recording never delays or fails the reply. */
  finished(job: ChatJob, answer: FinishedAnswer): void;
}
