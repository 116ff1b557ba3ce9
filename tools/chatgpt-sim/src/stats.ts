// Counters read by tests and benchmarks through stats() or GET /_sim/stats.
import type { BlobPutRecord, CodexStats, ConversationRequestRecord, MessageFilesRecord, PlatformRequestRecord, SimStats, StreamRecord } from './types.js';

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class StatsCollector {
  private data: SimStats = StatsCollector.empty(0);

  private static empty(activeStreams: number): SimStats {
    return {
      conversationRequests: 0,
      activeStreams,
      completedStreams: 0,
      abortedStreams: 0,
      streamBytes: 0,
      drainWaits: 0,
      byAccount: {},
      byWorkspace: {},
      tokenRequests: 0,
      sessionRequests: 0,
      jwksRequests: 0,
      refreshes: 0,
      refreshesByAccount: {},
      modelsRequests: 0,
      modelsRequestsByAccount: {},
      authKeysSeen: {},
      lastConversation: null,
      lastConversationMessages: null,
      messageFeedback: {},
      platform: { requests: 0, byKey: {}, lastRequest: null, abortedAnswers: 0 },
      fileCreates: 0,
      blobPuts: [],
      fileStatusPolls: 0,
      lastUserMessage: null,
      lastStream: null,
      synthesizeRequests: 0,
      synthesizeByVoice: {},
      synthesizeByFormat: {},
      hiddenConversations: 0,
      voiceTokensByAccount: {},
      lastVoiceTokenRequest: null,
      codex: StatsCollector.emptyCodex(),
    };
  }

  private static emptyCodex(): CodexStats {
    return {
      responsesRequests: 0,
      responsesByAccount: {},
      completedStreams: 0,
      abortedStreams: 0,
      compactRequests: 0,
      modelsRequests: 0,
      modelsRequestsByAccount: {},
      usageRequests: 0,
      whoamiRequests: 0,
      refreshCallsByAccount: {},
      refreshesByAccount: {},
      refreshFailures: {},
      rejections: {},
    };
  }

  /** A Codex backend call by route, once its account is known (null when authentication failed). */
  codexCall(route: 'responses' | 'compact' | 'models' | 'usage' | 'whoami', accountId: string | null): void {
    const c = this.data.codex;
    if (route === 'responses') {
      c.responsesRequests += 1;
      if (accountId) bump(c.responsesByAccount, accountId);
    } else if (route === 'compact') c.compactRequests += 1;
    else if (route === 'models') {
      c.modelsRequests += 1;
      if (accountId) bump(c.modelsRequestsByAccount, accountId);
    } else if (route === 'usage') c.usageRequests += 1;
    else c.whoamiRequests += 1;
  }

  codexStreamEnded(outcome: 'completed' | 'aborted'): void {
    if (outcome === 'completed') this.data.codex.completedStreams += 1;
    else this.data.codex.abortedStreams += 1;
  }

  codexRejected(message: string): void {
    bump(this.data.codex.rejections, message);
  }

  codexRefreshCall(accountId: string): void {
    bump(this.data.codex.refreshCallsByAccount, accountId);
  }

  codexRefreshed(accountId: string): void {
    bump(this.data.codex.refreshesByAccount, accountId);
  }

  codexRefreshFailed(code: string): void {
    bump(this.data.codex.refreshFailures, code);
  }

  fileCreated(): void {
    this.data.fileCreates += 1;
  }

  blobPut(record: BlobPutRecord): void {
    this.data.blobPuts.push(record);
  }

  userMessage(record: MessageFilesRecord): void {
    this.data.lastUserMessage = record;
  }

  fileStatusPolled(): void {
    this.data.fileStatusPolls += 1;
  }

  tokenRequest(): void {
    this.data.tokenRequests += 1;
  }

  sessionRequest(): void {
    this.data.sessionRequests += 1;
  }

  jwksRequest(): void {
    this.data.jwksRequests += 1;
  }

  refresh(accountId: string): void {
    this.data.refreshes += 1;
    this.data.refreshesByAccount[accountId] = (this.data.refreshesByAccount[accountId] ?? 0) + 1;
  }

  modelsRequest(accountId: string): void {
    this.data.modelsRequests += 1;
    this.data.modelsRequestsByAccount[accountId] = (this.data.modelsRequestsByAccount[accountId] ?? 0) + 1;
  }

  authKey(value: string): void {
    this.data.authKeysSeen[value] = (this.data.authKeysSeen[value] ?? 0) + 1;
  }

  conversationRequest(accountId: string, workspace: string | undefined): void {
    this.data.conversationRequests += 1;
    this.data.byAccount[accountId] = (this.data.byAccount[accountId] ?? 0) + 1;
    if (workspace) this.data.byWorkspace[workspace] = (this.data.byWorkspace[workspace] ?? 0) + 1;
  }

  /** A platform API request, whatever it was answered (a refused key counts too). */
  platformRequest(key: string, path: string, record: PlatformRequestRecord): void {
    this.data.platform.requests += 1;
    const perKey = (this.data.platform.byKey[key] ??= {});
    perKey[path] = (perKey[path] ?? 0) + 1;
    this.data.platform.lastRequest = record;
  }

  /** A platform answer its client closed before the last byte. */
  platformAborted(): void {
    this.data.platform.abortedAnswers += 1;
  }

  conversationBody(record: ConversationRequestRecord, messages: Array<{ role: string; text: string }>): void {
    this.data.lastConversation = record;
    this.data.lastConversationMessages = messages;
  }

  feedback(messageId: string, rating: string): void {
    this.data.messageFeedback[messageId] = rating;
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

  /** Bytes a conversation stream wrote, and whether it then had to wait for its client to read. */
  streamWrote(bytes: number, mustWait: boolean): void {
    this.data.streamBytes += bytes;
    if (mustWait) this.data.drainWaits += 1;
  }

  streamStarted(): void {
    this.data.activeStreams += 1;
  }

  streamEnded(outcome: 'completed' | 'aborted', written?: Omit<StreamRecord, 'outcome'>): void {
    this.data.activeStreams -= 1;
    if (written) this.data.lastStream = { ...written, outcome };
    if (outcome === 'completed') this.data.completedStreams += 1;
    else this.data.abortedStreams += 1;
  }

  snapshot(): SimStats {
    return {
      ...this.data,
      byAccount: { ...this.data.byAccount },
      byWorkspace: { ...this.data.byWorkspace },
      refreshesByAccount: { ...this.data.refreshesByAccount },
      modelsRequestsByAccount: { ...this.data.modelsRequestsByAccount },
      authKeysSeen: { ...this.data.authKeysSeen },
      lastConversationMessages: this.data.lastConversationMessages?.map((m) => ({ ...m })) ?? null,
      messageFeedback: { ...this.data.messageFeedback },
      platform: { ...this.data.platform, byKey: Object.fromEntries(Object.entries(this.data.platform.byKey).map(([k, v]) => [k, { ...v }])) },
      blobPuts: [...this.data.blobPuts],
      synthesizeByVoice: { ...this.data.synthesizeByVoice },
      synthesizeByFormat: { ...this.data.synthesizeByFormat },
      voiceTokensByAccount: { ...this.data.voiceTokensByAccount },
      codex: structuredClone(this.data.codex),
    };
  }

  /** Streams still running stay counted as active so the gauge never goes negative. */
  reset(): void {
    this.data = StatsCollector.empty(this.data.activeStreams);
  }
}
