import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { busErrorSchema } from '../common/openai-error.js';
import { FRAME_KIND_HEADER } from '../jobs/job-protocol.js';
import { nativeVoiceSchema, upstreamAudioFormatSchema } from './voice-catalogue.js';

/** Who is asking, for the account lease, usage events and limit slots: the same fields a chat job carries. */
const callerShape = {
  requestId: z.string(),
  upstream: upstreamCredentialSchema,
  tenantId: z.string(),
  credentialId: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
};

export const speechJobSchema = z.object({
  ...callerShape,
  /** The model as the client named it (what limits and usage match; the upstream has one voice model). */
  model: z.string(),
  /** OpenAI's limit for `input`. */
  input: z.string().min(1).max(4096),
  voice: nativeVoiceSchema,
  format: upstreamAudioFormatSchema,
});
export type SpeechJob = z.infer<typeof speechJobSchema>;

/**
 * Speech frames on the job's inbox. Audio travels as raw bytes (a message with the header
 * `SPEECH_FRAME_HEADER: audio`, at most SPEECH_AUDIO_FRAME_BYTES each, in order); everything else is
 * a JSON control frame: one `start` before the first audio, then exactly one `end` or `error`, and
 * `hb` while the upstream is silent. An `error` before `start` means nothing reached the client.
 */
export const SPEECH_FRAME_HEADER = FRAME_KIND_HEADER;
export const SPEECH_AUDIO_FRAME = 'audio' as const;
/** Well under NATS's default 1 MiB payload limit, and small enough to reach the client as it arrives. */
export const SPEECH_AUDIO_FRAME_BYTES = 32 * 1024;

export const speechControlFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('start'), contentType: z.string() }),
  /** `characters`: the input characters spoken (what usage counts). */
  z.object({ t: z.literal('end'), characters: z.number().int().nonnegative(), pieces: z.number().int().positive() }),
  z.object({ t: z.literal('error'), ...busErrorSchema.shape }),
  z.object({ t: z.literal('hb') }),
]);
export type SpeechControlFrame = z.infer<typeof speechControlFrameSchema>;
/** Every frame of a speech job: the control frames and the audio between them. */
export type SpeechFrame = SpeechControlFrame | { t: 'audio'; bytes: Uint8Array };

export const livekitTokenRequestSchema = z.object({
  ...callerShape,
  /** The model name limits and usage use for voice rooms. */
  model: z.string(),
  voice: nativeVoiceSchema,
});
export type LivekitTokenRequest = z.infer<typeof livekitTokenRequestSchema>;

/** OpenAI-style snake case, as the upstream and ChatGPT-Mirror answer it. */
export const livekitRoomSchema = z.object({ url: z.string(), token: z.string(), e2ee_key: z.string() });
export type LivekitRoom = z.infer<typeof livekitRoomSchema>;

export const livekitTokenReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), room: livekitRoomSchema }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type LivekitTokenReply = z.infer<typeof livekitTokenReplySchema>;
