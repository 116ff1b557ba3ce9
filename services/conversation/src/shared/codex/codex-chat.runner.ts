import { Inject, Injectable } from '@nestjs/common';
import { AccountLeaseClient, UsagePublisher } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../../conversation.config.js';
import { InputLoader } from '../uploads/input-loader.js';
import { CodexClient } from './codex.client.js';
import { CodexLimitsReporter } from './codex-limits.reporter.js';
import { runCodexChat, type CodexChatRequest, type CodexSink } from './run-codex-chat.js';
import { runCodexCompact, runCodexResponses, type CodexResponsesDeps } from './run-codex-responses.js';
import { ResponseStore } from '../responses/response-store.js';

/**
 * The worker's entry for chat completions and the Responses API on Codex accounts: whatever carries
 * them here (the relay's `codex` target) calls run(), responses() or compact() with a sink for the answer.
 */
@Injectable()
export class CodexChatRunner {
  constructor(
    private readonly client: CodexClient,
    private readonly leases: AccountLeaseClient,
    private readonly limits: CodexLimitsReporter,
    private readonly inputs: InputLoader,
    private readonly usage: UsagePublisher,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    private readonly records: ResponseStore,
  ) {}

  /** `POST /v1/responses` on Codex accounts (natively; stored in chatgate's responses). */
  responses(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void> {
    return runCodexResponses(request, sink, this.responsesDeps(signal));
  }

  /** `POST /v1/responses/compact` on Codex accounts (passed to the backend's compaction). */
  compact(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void> {
    return runCodexCompact(request, sink, this.responsesDeps(signal));
  }

  private responsesDeps(signal: AbortSignal): CodexResponsesDeps {
    return { client: this.client, leases: this.leases, limits: this.limits, records: this.records, loadInputs: (sources) => this.inputs.loadAll(sources), publishUsage: (event) => this.usage.publish(event), retryTimes: this.config.RETRY_TIMES, signal };
  }

  run(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void> {
    return runCodexChat(request, sink, {
      client: this.client,
      leases: this.leases,
      limits: this.limits,
      loadInputs: (sources) => this.inputs.loadAll(sources),
      publishUsage: (event) => this.usage.publish(event),
      retryTimes: this.config.RETRY_TIMES,
      signal,
    });
  }
}
