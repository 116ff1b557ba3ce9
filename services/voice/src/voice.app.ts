import { parseConfig, voiceEnv, type VoiceConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { VoiceModule } from './app.module.js';

export async function startVoice(config: VoiceConfig = parseConfig(voiceEnv)): Promise<RunningService> {
  const logger = createLogger('voice', config.LOG_LEVEL);
  return bootService({
    service: 'voice',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config },
    module: VoiceModule.forRoot(config, logger),
    port: config.HEALTH_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
