import { Module, type DynamicModule } from '@nestjs/common';
import type { VoiceConfig } from '@chatgate/config';
import { AccountLeaseClient, HealthModule, NatsConnectionModule, NatsHealthIndicator, usagePublisherProvider, workerCapacityProvider, type Logger } from '@chatgate/service-kit';
import { LivekitTokenResponder } from './livekit/livekit-token.responder.js';
import { SpeechJobWorker } from './speech/speech-job.worker.js';
import { VoiceUpstreamClient } from './upstream/voice-upstream.client.js';
import { VOICE_CONFIG, VOICE_LOGGER } from './voice.config.js';

/** Text to speech (`/v1/audio/speech` jobs) and voice-chat rooms (`/api/livekit`) against the ChatGPT upstream. */
@Module({})
export class VoiceModule {
  static forRoot(config: VoiceConfig, logger: Logger): DynamicModule {
    return {
      module: VoiceModule,
      imports: [NatsConnectionModule.forRoot(config, 'chatgate-voice', logger, 'voice'), HealthModule.forRoot('voice', [NatsHealthIndicator])],
      providers: [
        { provide: VOICE_CONFIG, useValue: config },
        { provide: VOICE_LOGGER, useValue: logger },
        VoiceUpstreamClient,
        AccountLeaseClient,
        usagePublisherProvider(VOICE_CONFIG, VOICE_LOGGER),
        // WORKER_CONCURRENCY: the cap on speech jobs this replica runs at once.
        workerCapacityProvider(VOICE_CONFIG),
        SpeechJobWorker,
        LivekitTokenResponder,
      ],
    };
  }
}
