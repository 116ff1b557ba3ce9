/**
 * Voice: text to speech and voice-chat rooms. Speech is a job with a private reply inbox (many
 * audio frames per request, a cancel and heartbeats, like chat) on the raw connection; the room
 * token is one request/reply. Both go to the voice service's queue group.
 */
export const SPEECH_JOB = 'chatgate.voice.speech.job.v1' as const;
/** `<prefix>.<requestId>`: the gateway's client went away; the voice worker stops synthesising. */
export const SPEECH_CANCEL_PREFIX = 'chatgate.voice.speech.cancel.v1' as const;
export const speechCancelSubject = (requestId: string) => `${SPEECH_CANCEL_PREFIX}.${requestId}`;
export const SPEECH_CANCEL_ALL = `${SPEECH_CANCEL_PREFIX}.*` as const;
/** Request/reply: a LiveKit room for the caller's account (`GET /api/livekit`). */
export const LIVEKIT_TOKEN = 'chatgate.voice.livekit.token.v1' as const;
export const VOICE_QUEUE_GROUP = 'voice' as const;
