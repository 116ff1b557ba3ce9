import type { VoiceConfig } from '@chatgate/config';

export const VOICE_CONFIG = Symbol('VOICE_CONFIG');
export const VOICE_LOGGER = Symbol('VOICE_LOGGER');
export type { VoiceConfig };
