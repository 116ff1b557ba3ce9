import {
  NATIVE_VOICES,
  OPENAI_AUDIO_FORMATS,
  OPENAI_VOICE_MAP,
  invalidValue,
  nativeVoiceOf,
  upstreamFormatOf,
  type NativeVoice,
  type Principal,
  type SpeechJob,
} from '@chatgate/contracts';
import { parseRequestBody } from '../shared/http/request-input.js';
import { ApiError } from '../shared/errors/api-error.js';
import { speechRequestSchema, type SpeechRequest } from './speech-request.schema.js';

/** Parses the body against OpenAI's schema; the first problem becomes a 400 naming the field. */
export function parseSpeechRequest(body: unknown): SpeechRequest {
  return parseRequestBody(speechRequestSchema, body);
}

const VOICE_NAMES = [...Object.keys(OPENAI_VOICE_MAP), ...NATIVE_VOICES].map((v) => `'${v}'`).join(', ');

/** The upstream voice for the request's voice (OpenAI's names and the native ones), or a 400 naming `voice`. */
export function voiceOf(voice: SpeechRequest['voice'] | string): NativeVoice {
  const name = typeof voice === 'string' ? voice : voice.id;
  const native = nativeVoiceOf(name);
  if (!native) throw ApiError.invalidRequest(`Invalid value for 'voice': '${name}' is not a voice this upstream has. Use one of ${VOICE_NAMES}.`, 'voice', 'invalid_value');
  return native;
}

/** What the caller can do about a feature ChatGPT's voice lacks: the platform's own speech has it. */
function wayOutFor(principal: Principal): string {
  return principal.upstream.kind === 'chatgpt_access_token'
    ? 'A ChatGPT token reaches its own ChatGPT account only: use a chatgate key whose tenant routes this model to API keys.'
    : "A model the tenant's routing table sends to API keys (/admin/v1/routes) goes to the platform's own speech, which has it.";
}

function unsupportedOn(principal: Principal): (param: string, what: string) => ApiError {
  return (param, what) => ApiError.invalidRequest(`${what} is not supported by the ChatGPT upstream. ${wayOutFor(principal)}`, param, 'unsupported_parameter');
}

/**
 * The OpenAI request as the voice service's job. Voices and formats map as reference §6 says
 * (flac, wav and pcm fall back to aac); what the upstream cannot honour (another speed,
 * instructions, SSE) is refused with a 400 rather than silently ignored.
 */
export function toSpeechJob(req: SpeechRequest, principal: Principal, requestId: string): SpeechJob {
  if (!req.input.trim()) throw ApiError.fromBus(invalidValue('input', 'there is no text to speak.'));
  const voice = voiceOf(req.voice);
  const format = upstreamFormatOf(req.response_format);
  if (!format) {
    throw ApiError.invalidRequest(`Invalid value for 'response_format': '${req.response_format}'. Use one of ${OPENAI_AUDIO_FORMATS.map((f) => `'${f}'`).join(', ')}.`, 'response_format', 'invalid_value');
  }
  const unsupported = unsupportedOn(principal);
  if (req.speed !== undefined && req.speed !== 1) throw unsupported('speed', 'A speed other than 1.0');
  // ChatGPT's voice reads a message aloud with a voice and a format, nothing more (reference §6).
  if (req.instructions?.trim()) throw unsupported('instructions', "Voice instructions ('instructions': how to speak, for gpt-4o-mini-tts)");
  if (req.stream_format === 'sse') throw unsupported('stream_format', "stream_format 'sse'");
  return {
    requestId,
    model: req.model,
    input: req.input,
    voice,
    format,
    upstream: principal.upstream,
    tenantId: principal.tenantId,
    credentialId: principal.credentialId,
    userId: principal.userId,
    userName: principal.userName,
  };
}
