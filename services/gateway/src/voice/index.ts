import type { GatewayFeature } from '../shared/feature.js';
import { LivekitController } from './livekit.controller.js';
import { SpeechController } from './speech.controller.js';

/** Text to speech (`/v1/audio/speech`) and voice-chat rooms (`/api/livekit`). */
export const VOICE_FEATURE: GatewayFeature = { controllers: [SpeechController, LivekitController] };
