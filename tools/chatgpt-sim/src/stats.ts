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
      synthesizeRequests: 0,
      synthesizeByVoice: {},
      synthesizeByFormat: {},
      hiddenConversations: 0,
      voiceTokensByAccount: {},
      lastVoiceTokenRequest: null,
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

  conversationBody(record: ConversationRequestRecord): void {
    this.data.lastConversation = record;
  }

  synthesizeRequest(voice: string, format: string): void {
    this.data.synthesizeRequests += 1;
    this.data.synthesizeByVoice[voice] = (this.data.synthesizeByVoice[voice] ?? 0) + 1;
    this.data.synthesizeByFormat[format] = (this.data.synthesizeByFormat[format] ?? 0) + 1;
  }

  conversationHidden(): void {
    this.data.hiddenConversations += 1;
  }

  voiceTokenRequest(accountId: string, body: Record<string, unknown>): void {
    this.data.voiceTokensByAccount[accountId] = (this.data.voiceTokensByAccount[accountId] ?? 0) + 1;
    this.data.lastVoiceTokenRequest = body;
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
      synthesizeByVoice: { ...this.data.synthesizeByVoice },
      synthesizeByFormat: { ...this.data.synthesizeByFormat },
      voiceTokensByAccount: { ...this.data.voiceTokensByAccount },
    };
  }

  /** Streams still running stay counted as active so the gauge never goes negative. */
  reset(): void {
    this.data = StatsCollector.empty(this.data.activeStreams);
  }
}
