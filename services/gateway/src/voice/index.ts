import { LivekitController } from './livekit.controller.js';
import { SpeechController } from './speech.controller.js';

export const VOICE_CONTROLLERS = [SpeechController, LivekitController];
export const VOICE_PROVIDERS = [];
