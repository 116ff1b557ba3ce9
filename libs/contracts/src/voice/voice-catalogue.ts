import { z } from 'zod';

/** The upstream's own voices (reference §6). */
export const NATIVE_VOICES = ['cove', 'orbit', 'breeze', 'fathom', 'glimmer', 'vale', 'juniper', 'ember', 'maple'] as const;
export const nativeVoiceSchema = z.enum(NATIVE_VOICES);
export type NativeVoice = z.infer<typeof nativeVoiceSchema>;

/** OpenAI's voice names and the upstream voice each one is spoken with (reference §6). */
export const OPENAI_VOICE_MAP: Readonly<Record<string, NativeVoice>> = {
  alloy: 'cove',
  ash: 'fathom',
  coral: 'vale',
  echo: 'ember',
  fable: 'breeze',
  onyx: 'orbit',
  nova: 'maple',
  sage: 'glimmer',
  shimmer: 'juniper',
};

/** What the synthesize endpoint can produce. */
export const UPSTREAM_AUDIO_FORMATS = ['aac', 'mp3', 'opus'] as const;
export const upstreamAudioFormatSchema = z.enum(UPSTREAM_AUDIO_FORMATS);
export type UpstreamAudioFormat = z.infer<typeof upstreamAudioFormatSchema>;

/** OpenAI's `response_format` values; those the upstream lacks fall back to aac (reference §6). */
export const OPENAI_AUDIO_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

/** The upstream voice for an OpenAI or native name (case-insensitive), or null for a name neither knows. */
export function nativeVoiceOf(name: string): NativeVoice | null {
  const key = name.trim().toLowerCase();
  if ((NATIVE_VOICES as readonly string[]).includes(key)) return key as NativeVoice;
  return OPENAI_VOICE_MAP[key] ?? null;
}

/** The upstream format for an OpenAI `response_format` (default mp3, as OpenAI's), or null for an unknown one. */
export function upstreamFormatOf(format: string | undefined): UpstreamAudioFormat | null {
  const key = (format ?? 'mp3').trim().toLowerCase();
  if ((UPSTREAM_AUDIO_FORMATS as readonly string[]).includes(key)) return key as UpstreamAudioFormat;
  return (OPENAI_AUDIO_FORMATS as readonly string[]).includes(key) ? 'aac' : null;
}
