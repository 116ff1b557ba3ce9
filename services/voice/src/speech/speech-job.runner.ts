import { SPEECH_AUDIO_FRAME_BYTES, invalidValue, outcomeOf, upstreamStreamCut, type BusError, type SpeechControlFrame, type SpeechJob } from '@chatgate/contracts';
import { identitySourceFor, rotationFailure, transportFailure, type AccountLeaseClient, type Attempt } from '@chatgate/service-kit';
import type { SpokenMessage, UpstreamIdentity, VoiceUpstreamClient } from '../upstream/voice-upstream.client.js';
import { splitIntoPieces } from './sentence-splitter.js';

/** The upstream model voice requests are made with (the conversation holding the text): cool-downs are kept under it. */
export const VOICE_UPSTREAM_MODEL = 'auto';

export interface SpeechJobContext {
  readonly job: SpeechJob;
  readonly abort: AbortController;
  /** The pool account of the current attempt (for the usage event), null for the caller's own token. */
  account: { id: string; label: string | null } | null;
  /** Input characters whose audio reached the gateway in full (what usage counts). */
  spokenCharacters: number;
  sendControl(frame: SpeechControlFrame): void;
  sendAudio(bytes: Uint8Array): void;
  /** Resolves once the client has read enough (flow control): awaited before reading more of the upstream. */
  drained(): Promise<void>;
}

export interface SpeechDeps {
  upstream: VoiceUpstreamClient;
  leases: AccountLeaseClient;
  retryTimes: number;
  pieceChars: number;
  /** Hides a conversation once its audio is read; runs in the background, never fails the speech. */
  hideLater(identity: UpstreamIdentity, conversationId: string): void;
}

/** A piece either reached the client in full, failed before any of its audio did (may go to another account), or broke in the middle. */
type PieceResult = { ok: true } | { ok: false; failure: BusError; midAudio: boolean };

/** Counts characters as people do (an emoji is one), for usage. */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The next piece's message, posted while the current piece's audio streams, so pieces follow without a gap. */
interface Prepared {
  index: number;
  identity: UpstreamIdentity;
  message: Promise<SpokenMessage>;
}

/**
 * One piece of text, spoken the way the reference describes: an assistant message in a saved
 * conversation (posted now, or already while the previous piece played), that message
 * synthesised (audio forwarded as it arrives, cut to frames well under the NATS payload limit),
 * then the conversation hidden. `audioBegins` runs when the upstream starts sending audio.
 */
async function speakPiece(
  ctx: SpeechJobContext,
  deps: SpeechDeps,
  identity: UpstreamIdentity,
  message: Promise<SpokenMessage>,
  started: { value: boolean },
  audioBegins: () => void,
): Promise<PieceResult> {
  const { job, abort } = ctx;
  const spoken = await message;
  if (!spoken.ok) return { ok: false, failure: spoken.failure, midAudio: false };
  try {
    const audio = await deps.upstream.synthesize(identity, { conversationId: spoken.conversationId, messageId: spoken.messageId, voice: job.voice, format: job.format }, abort.signal);
    if (!audio.ok) return { ok: false, failure: audio.failure, midAudio: false };
    if (!started.value) {
      ctx.sendControl({ t: 'start', contentType: audio.contentType });
      started.value = true;
    }
    audioBegins();
    let sent = 0;
    try {
      for await (const chunk of audio.body) {
        for (let at = 0; at < chunk.length; at += SPEECH_AUDIO_FRAME_BYTES) ctx.sendAudio(chunk.subarray(at, at + SPEECH_AUDIO_FRAME_BYTES));
        sent += chunk.length;
        await ctx.drained();
      }
    } catch (err) {
      audio.body.destroy();
      return { ok: false, failure: transportFailure(err, true, 'the audio'), midAudio: sent > 0 };
    }
    if (sent === 0) return { ok: false, failure: upstreamStreamCut('the audio'), midAudio: false };
    return { ok: true };
  } finally {
    deps.hideLater(identity, spoken.conversationId);
  }
}

/**
 * Runs one speech job: the input split at sentence boundaries, each piece spoken in order on the
 * same account; while a piece's audio streams, the next piece's message is already posted. A
 * piece that fails before any of its audio reached the client moves to the next pool account (up
 * to RETRY_TIMES accounts for the whole job; a 401 first gets one refresh), and the clip goes on
 * from that piece, so the client still gets every piece once, in order. A failure in the middle of
 * a piece's audio ends the job with an error: the client already has part of it.
 */
export async function runSpeechJob(ctx: SpeechJobContext, deps: SpeechDeps): Promise<void> {
  const { job } = ctx;
  const pieces = splitIntoPieces(job.input, deps.pieceChars).map((piece) => ({ piece, text: piece.trim() }));
  const source = identitySourceFor(job, VOICE_UPSTREAM_MODEL, deps.leases);
  const started = { value: false };
  let current: Attempt | null = null;
  let accountsUsed = 0;
  let lastFailure: BusError | null = null;
  let spokenPieces = 0;
  // A holder, not a variable: the audio callback fills it while the loop awaits.
  const ahead: { prepared: Prepared | null } = { prepared: null };

  const post = (identity: UpstreamIdentity, text: string) => deps.upstream.postAssistantMessage(identity, text, ctx.abort.signal);
  /** A prepared message that will not be spoken (another account took over, or the job ended): hide it. */
  const discard = (unused: Prepared | null) => {
    void unused?.message.then((m) => m.ok && deps.hideLater(unused.identity, m.conversationId));
  };
  const nextSpoken = (after: number) => pieces.findIndex((p, i) => i > after && p.text !== '');

  try {
    for (const [index, { piece, text }] of pieces.entries()) {
      if (!text) {
        ctx.spokenCharacters += characters(piece);
        continue;
      }
      for (;;) {
        if (ctx.abort.signal.aborted) return;
        if (!current) {
          if (accountsUsed >= deps.retryTimes) return ctx.sendControl({ t: 'error', ...rotationFailure(source, lastFailure) });
          current = await source.next();
          accountsUsed++;
          if (!current.ok) return ctx.sendControl({ t: 'error', ...rotationFailure(source, lastFailure, current.failure) });
        }
        if (!current.ok) return;
        const identity = current.identity;
        ctx.account = current.accountId ? { id: current.accountId, label: current.accountLabel } : null;
        let message: Promise<SpokenMessage>;
        const prepared = ahead.prepared;
        ahead.prepared = null;
        if (prepared && prepared.index === index && prepared.identity === identity) message = prepared.message;
        else {
          discard(prepared);
          message = post(identity, text);
        }
        const result = await speakPiece(ctx, deps, identity, message, started, () => {
          const following = nextSpoken(index);
          if (following >= 0) ahead.prepared = { index: following, identity, message: post(identity, pieces[following].text) };
        });
        if (result.ok) {
          ctx.spokenCharacters += characters(piece);
          spokenPieces++;
          break;
        }
        if (ctx.abort.signal.aborted) return;
        lastFailure = result.failure;
        if (result.midAudio || !source.rotates || !outcomeOf(result.failure)) return ctx.sendControl({ t: 'error', ...result.failure });
        const retry: Attempt | null = await source.failed(current, result.failure);
        current = retry && retry.ok ? retry : null;
      }
    }
  } finally {
    discard(ahead.prepared);
  }
  if (!spokenPieces) {
    return ctx.sendControl({ t: 'error', ...invalidValue('input', 'there is no text to speak.') });
  }
  ctx.sendControl({ t: 'end', characters: ctx.spokenCharacters, pieces: spokenPieces });
}
