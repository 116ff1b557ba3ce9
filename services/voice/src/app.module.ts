import { Module, type DynamicModule } from '@nestjs/common';
import type { VoiceConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator } from '@chatgate/service-kit';

/** Text to speech and voice-room relay. The foundation starts it on the bus; speech arrives with the voice work. */
@Module({})
export class VoiceModule {
  static forRoot(config: VoiceConfig): DynamicModule {
    return {
      module: VoiceModule,
      imports: [NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-voice'), HealthModule.forRoot('voice', [NatsHealthIndicator])],
    };
  }
}
