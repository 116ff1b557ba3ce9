import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { LIVEKIT_TOKEN, VOICE_QUEUE_GROUP, jobCrashed, livekitTokenRequestSchema, malformedJob, type LivekitTokenReply, type LivekitTokenRequest, type UsageEvent } from '@chatgate/contracts';
import { AccountLeaseClient, NATS_CONNECTION, identitySourceFor, serveRequests, usageEvent, withRotation, type Logger } from '@chatgate/service-kit';
import { VOICE_UPSTREAM_MODEL } from '../speech/speech-job.runner.js';
import { VoiceUpstreamClient } from '../upstream/voice-upstream.client.js';
import { UsagePublisher } from '@chatgate/service-kit';
import { VOICE_CONFIG, VOICE_LOGGER, type VoiceConfig } from '../voice.config.js';
import { VoiceProxy } from './voice-proxy.js';

const ROOMS = { worker: 'voice service', job: 'voice room request' };

/**
 * Answers `GET /api/livekit` for the gateway: a LiveKit room from the upstream for the caller's
 * account (a pool account rotated on failure, as for chat), its host replaced by VOICE_PROXY_URL
 * when one is set. One usage event (kind `voice`) per request.
 */
@Injectable()
export class LivekitTokenResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;
  private readonly proxy: VoiceProxy | null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(VOICE_CONFIG) private readonly config: VoiceConfig,
    @Inject(VOICE_LOGGER) private readonly logger: Logger,
    private readonly upstream: VoiceUpstreamClient,
    private readonly leases: AccountLeaseClient,
    private readonly usage: UsagePublisher,
  ) {
    this.proxy = config.VOICE_PROXY_URL ? new VoiceProxy(config.VOICE_PROXY_URL) : null;
  }

  onApplicationBootstrap() {
    this.subscription = serveRequests(this.nc, {
      subject: LIVEKIT_TOKEN,
      queue: VOICE_QUEUE_GROUP,
      schema: livekitTokenRequestSchema,
      handle: (request) => this.room(request),
      malformed: { ok: false, failure: malformedJob(ROOMS) } satisfies LivekitTokenReply,
      failed: { ok: false, failure: jobCrashed(ROOMS, 'asking for a room') } satisfies LivekitTokenReply,
      logger: this.logger,
    });
  }

  onApplicationShutdown() {
    this.subscription?.unsubscribe();
  }

  async room(request: LivekitTokenRequest): Promise<LivekitTokenReply> {
    const started = performance.now();
    let account: { id: string; label: string | null } | null = null;
    const source = identitySourceFor(request, VOICE_UPSTREAM_MODEL, this.leases);
    const result = await withRotation(source, this.config.RETRY_TIMES, async (attempt) => {
      account = attempt.accountId ? { id: attempt.accountId, label: attempt.accountLabel } : null;
      const answer = await this.upstream.voiceRoom(attempt.identity, { voice: request.voice });
      return answer.ok ? { ok: true as const, value: answer.room } : answer;
    });
    // No signal: nothing cancels a room request, so the rotation always ends with a room or a failure.
    const reply: LivekitTokenReply = result.ok
      ? { ok: true, room: { ...result.value, url: this.proxy ? this.proxy.rewrite(result.value.url) : result.value.url } }
      : { ok: false, failure: 'failure' in result ? result.failure : jobCrashed(ROOMS, 'asking for a room') };
    this.usage.publish(this.usageEvent(request, account, reply, performance.now() - started));
    return reply;
  }

  private usageEvent(request: LivekitTokenRequest, account: { id: string; label: string | null } | null, reply: LivekitTokenReply, latencyMs: number): UsageEvent {
    return usageEvent(request, { model: request.model, kind: 'voice', account, outcome: reply.ok ? 'ok' : 'error', status: reply.ok ? 200 : reply.failure.status, latencyMs });
  }
}
