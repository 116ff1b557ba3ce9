import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../../conversation.config.js';
import { parseAllowHosts, UsagePublisher } from '@chatgate/service-kit';
import { PlatformHttp } from './platform-http.js';
import { PoolLeases } from '../leases/pool-leases.js';
import type { PlatformRequest } from './platform-request.js';
import { runPlatformRequest, type PlatformSink } from './run-platform-request.js';

/**
 * The worker's entry for platform (API-key) requests: whatever carries them here (a relay job, a
 * direct route) calls run() with a sink for the answer.
 */
@Injectable()
export class PlatformRunner implements OnApplicationShutdown {
  private readonly http: PlatformHttp;

  constructor(
    private readonly leases: PoolLeases,
    private readonly usage: UsagePublisher,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {
    this.http = new PlatformHttp({
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: config.UPSTREAM_IDLE_TIMEOUT_MS,
      allowHosts: parseAllowHosts(config.PLATFORM_ALLOW_HOSTS, 'PLATFORM_ALLOW_HOSTS'),
    });
  }

  run(request: PlatformRequest, sink: PlatformSink, signal?: AbortSignal): Promise<void> {
    return runPlatformRequest(request, sink, { leases: this.leases, http: this.http, retryTimes: this.config.RETRY_TIMES, publishUsage: (e) => this.usage.publish(e), signal });
  }

  async onApplicationShutdown() {
    await this.http.close();
  }
}
