// Counters read by tests and benchmarks through stats() or GET /_sim/stats.
import type { ConversationRequestRecord, SimStats } from './types.js';

export class StatsCollector {
  private data: SimStats = StatsCollector.empty(0);

  private static empty(activeStreams: number): SimStats {
    return {
      conversationRequests: 0,
      activeStreams,
      completedStreams: 0,
      abortedStreams: 0,
      byAccount: {},
      byWorkspace: {},
      tokenRequests: 0,
      refreshes: 0,
      refreshesByAccount: {},
      authKeysSeen: {},
      lastConversation: null,
      lastConversationMessages: null,
      messageFeedback: {},
    };
  }

  tokenRequest(): void {
    this.data.tokenRequests += 1;
  }

  refresh(accountId: string): void {
    this.data.refreshes += 1;
    this.data.refreshesByAccount[accountId] = (this.data.refreshesByAccount[accountId] ?? 0) + 1;
  }

  authKey(value: string): void {
    this.data.authKeysSeen[value] = (this.data.authKeysSeen[value] ?? 0) + 1;
  }

  conversationRequest(accountId: string, workspace: string | undefined): void {
    this.data.conversationRequests += 1;
    this.data.byAccount[accountId] = (this.data.byAccount[accountId] ?? 0) + 1;
    if (workspace) this.data.byWorkspace[workspace] = (this.data.byWorkspace[workspace] ?? 0) + 1;
  }

  conversationBody(record: ConversationRequestRecord, messages: Array<{ role: string; text: string }>): void {
    this.data.lastConversation = record;
    this.data.lastConversationMessages = messages;
  }

  feedback(messageId: string, rating: string): void {
    this.data.messageFeedback[messageId] = rating;
  }

  streamStarted(): void {
    this.data.activeStreams += 1;
  }

  streamEnded(outcome: 'completed' | 'aborted'): void {
    this.data.activeStreams -= 1;
    if (outcome === 'completed') this.data.completedStreams += 1;
    else this.data.abortedStreams += 1;
  }

  snapshot(): SimStats {
    return {
      ...this.data,
      byAccount: { ...this.data.byAccount },
      byWorkspace: { ...this.data.byWorkspace },
      refreshesByAccount: { ...this.data.refreshesByAccount },
      authKeysSeen: { ...this.data.authKeysSeen },
      lastConversationMessages: this.data.lastConversationMessages?.map((m) => ({ ...m })) ?? null,
      messageFeedback: { ...this.data.messageFeedback },
    };
  }

  /** Streams still running stay counted as active so the gauge never goes negative. */
  reset(): void {
    this.data = StatsCollector.empty(this.data.activeStreams);
  }
}
