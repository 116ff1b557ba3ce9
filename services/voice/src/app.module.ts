import { Module, type DynamicModule } from '@nestjs/common';
import type { VoiceConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, usagePublisherProvider, type Logger } from '@chatgate/service-kit';
import { AccountLeaseClient } from '@chatgate/service-kit';
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
      imports: [NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-voice'), HealthModule.forRoot('voice', [NatsHealthIndicator])],
      providers: [
        { provide: VOICE_CONFIG, useValue: config },
        { provide: VOICE_LOGGER, useValue: logger },
        VoiceUpstreamClient,
        AccountLeaseClient,
        usagePublisherProvider(VOICE_CONFIG, VOICE_LOGGER),
        SpeechJobWorker,
        LivekitTokenResponder,
      ],
    };
  }
}
