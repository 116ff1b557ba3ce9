import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { conversationNotFound, recordsUnavailable, type BusError, type ChatJob, type ChatMessage, type RelayJob } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import type { Continuation, ConversationHooks, FinishedAnswer } from './conversation-hooks.js';
import { CONVERSATION_LOGGER } from '../../conversation.config.js';
import { ConversationRecordStore } from './conversation-record.store.js';
import { ownerKeyOf, type ConversationRecord } from './conversation-record.js';
import { answeredHistoryHash, normaliseMessage, priorHistoryHash } from './history-hash.js';
import { RecordWriter } from './record-writer.js';

const TITLE_MAX = 120;

const RECORDS_UNAVAILABLE = recordsUnavailable();

/** Runs of white space and control characters (Postgres text cannot hold a NUL): one space in a title. */
const TITLE_BLANKS = /[\s\p{Cc}]+/gu;

/** Until the upstream names a conversation: its first user message, shortened (as ChatGPT's sidebar does). */
function provisionalTitle(messages: ReadonlyArray<ChatMessage>): string | null {
  const first = messages.find((m) => m.role === 'user');
  if (!first) return null;
  const text = normaliseMessage(first).text.replace(TITLE_BLANKS, ' ').trim();
  return text ? text.slice(0, TITLE_MAX) : null;
}

/** A title as the records keep it: the upstream's or the provisional one, on one line. */
function titleOf(upstream: string | null, messages: ReadonlyArray<ChatMessage>): string | null {
  return upstream?.replace(TITLE_BLANKS, ' ').trim() || provisionalTitle(messages);
}

/** Who a request is made for, as chat and relay jobs both carry it. */
type Requester = Pick<ChatJob, 'tenantId' | 'userId' | 'credentialId' | 'isolatedSession' | 'upstream'>;

/** Whether the job may use this pool account (a user's allowed accounts travel with the job). */
function mayUse(job: Requester, record: ConversationRecord): boolean {
  if (job.upstream.kind !== 'pool') return record.accountId === null;
  if (record.accountId === null) return false;
  return !job.upstream.accountIds || job.upstream.accountIds.includes(record.accountId);
}

/** How long a stopping worker waits for records still being written. */
const FLUSH_MS = 3000;

/**
 * The worker's side of the records: which recorded conversation a job continues, and the record a
 * finished turn leaves. Continuing is an optimisation (only the new message goes upstream), so a
 * failing database never fails a chat: the job then runs with its whole history.
 *
 * A record is written after the reply's `end` frame, off the reply's path, in batches (RecordWriter).
 * A client's next turn can arrive before that write lands, so a lookup first waits for the owner's
 * turns still being written in this worker; on another replica the rare loser of that race sends its
 * whole history instead.
 */
@Injectable()
export class ConversationContinuity implements ConversationHooks, OnApplicationShutdown {
  private readonly writer: RecordWriter;

  constructor(
    private readonly store: ConversationRecordStore,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {
    this.writer = new RecordWriter(store, logger);
  }

  /** Resolves once the records this worker is writing (of one owner, or all) have landed. */
  async settled(ownerKey?: string): Promise<void> {
    await this.writer.settled(ownerKey);
  }

  async onApplicationShutdown() {
    await this.writer.settled(undefined, FLUSH_MS);
  }

  async continuation(job: ChatJob): Promise<Continuation | { refused: BusError } | null> {
    // A single new message continues nothing: no lookup, no wait (the common case stays free).
    if (job.conversationId === undefined && job.messages.length < 2) return null;
    if (job.conversationId !== undefined) {
      const named = await this.named(job, job.conversationId);
      if (!named || 'refused' in named) return named;
      return { conversationId: job.conversationId, parentMessageId: job.parentMessageId ?? named.record.lastMessageId, accountId: named.record.accountId };
    }
    // Never rejects: a failed write is logged by the writer.
    await this.settled(ownerKeyOf(job));
    try {
      return await this.matched(job);
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), requestId: job.requestId }, 'conversation lookup failed');
      return null;
    }
  }

  /**
   * The recorded conversation a request names by id (pool only; a caller's own token owns its
   * conversations), when the requester may use the account holding it; null when chatgate never
   * saw it (the upstream's call) or it is on an account they may not use. A caller may name their
   * own conversations and, unless isolated, the tenant's shared ones (see RecordScope); a recorded
   * conversation outside that (another isolated user's, one made with someone's own ChatGPT token,
   * or any other user's for an isolated caller) is a 404, as on the management endpoints, so it is
   * never continued by luck on the account that holds it. Without the records a named conversation
   * cannot be checked: refused (503), not risked.
   */
  async named(who: Requester & { requestId: string }, conversationId: string): Promise<{ record: ConversationRecord } | { refused: BusError } | null> {
    if (who.upstream.kind !== 'pool') return null;
    await this.settled(ownerKeyOf(who));
    try {
      const visible =
        (await this.store.find({ tenantId: who.tenantId, ownerKey: ownerKeyOf(who) }, conversationId)) ??
        (who.isolatedSession ? null : await this.store.find({ tenantId: who.tenantId, accountIds: null }, conversationId));
      if (visible) return mayUse(who, visible) ? { record: visible } : null;
      if (await this.store.anyOwner(who.tenantId, conversationId)) return { refused: conversationNotFound(conversationId) };
      return null;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), requestId: who.requestId }, 'conversation lookup failed');
      return { refused: RECORDS_UNAVAILABLE };
    }
  }

  /** The visible conversation of this owner whose recorded history is the request's history before its newest message. */
  private async matched(job: ChatJob): Promise<Continuation | null> {
    const ownerKey = ownerKeyOf(job);
    const prior = priorHistoryHash(job.messages);
    if (!prior) return null;
    const record = await this.store.findByHistory(job.tenantId, ownerKey, prior);
    if (!record || !mayUse(job, record)) return null;
    return { conversationId: record.conversationId, parentMessageId: record.lastMessageId, accountId: record.accountId };
  }

  finished(job: ChatJob, answer: FinishedAnswer): void {
    this.write(job, { sent: job.messages, answer, model: job.model, historyHash: answeredHistoryHash(job.messages, answer.answer) });
  }

  /**
   * A web-protocol turn the upstream finished with history on (not awaited, like a chat's). A new
   * conversation's messages are its whole history, so its hash lets a later OpenAI-style request
   * continue it; a continued one sent only its newest message, so chatgate does not know the
   * history and leaves a hash nothing matches (it is still found by id and listed).
   */
  webFinished(job: RelayJob, turn: { sent: ChatMessage[]; continued: boolean; answer: FinishedAnswer }): void {
    const { sent, answer } = turn;
    const historyHash = turn.continued ? `web:${answer.messageId}` : answeredHistoryHash(sent, answer.answer);
    this.write(job, { sent, answer, model: job.usage?.model ?? 'auto', historyHash });
  }

  /** Queues the record a finished turn leaves (written off the reply's path, in batches). */
  private write(job: Requester & { requestId: string }, turn: { sent: ReadonlyArray<ChatMessage>; answer: FinishedAnswer; model: string; historyHash: string }): void {
    const { answer } = turn;
    this.writer.write(job.requestId, {
      tenantId: job.tenantId,
      ownerKey: ownerKeyOf(job),
      userId: job.userId,
      credentialId: job.credentialId,
      conversationId: answer.conversationId,
      accountId: answer.accountId,
      model: turn.model,
      title: titleOf(answer.title, turn.sent),
      lastMessageId: answer.messageId,
      historyHash: turn.historyHash,
      isolated: job.isolatedSession === true,
    });
  }
}
