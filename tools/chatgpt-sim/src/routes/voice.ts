// Voice (reference §6): GET /backend-api/synthesize reads an assistant message of a saved
// conversation aloud; POST /voice/get_token hands out a LiveKit room for voice chat.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUDIO_CONTENT_TYPES, audioPackets, type SimAudioFormat } from '../audio.js';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { isHttpFailKind, sendFailure } from '../failures.js';
import { readJsonObject, sendJson } from '../http.js';
import { uuid } from '../ids.js';

export const SIM_VOICES = ['cove', 'orbit', 'breeze', 'fathom', 'glimmer', 'vale', 'juniper', 'ember', 'maple'] as const;
const FORMATS: readonly SimAudioFormat[] = ['aac', 'mp3', 'opus'];

/** Where the sim's rooms live: the host VOICE_PROXY_URL replaces. */
export const SIM_LIVEKIT_URL = 'wss://webrtc.chatgpt.com';

function isFormat(value: string | null): value is SimAudioFormat {
  return value !== null && (FORMATS as readonly string[]).includes(value);
}

/** The account's injected failure, if it is one an HTTP answer can show (the stream kinds belong to conversations). */
function httpFailure(ctx: SimContext, caller: Caller, res: ServerResponse): boolean {
  const failure = ctx.behaviours.take(caller.account);
  if (!failure || !isHttpFailKind(failure.kind)) return false;
  sendFailure(res, failure.kind, { model: 'auto', clearsIn: failure.clearsIn });
  return true;
}

export async function synthesizeRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  const messageId = query.get('message_id');
  const conversationId = query.get('conversation_id');
  const voice = query.get('voice') ?? 'cove';
  const format = query.get('format') ?? 'aac';
  ctx.stats.synthesizeRequest(voice, format);
  if (!messageId || !conversationId) {
    sendJson(res, 400, { detail: 'message_id and conversation_id are required' });
    return;
  }
  if (!(SIM_VOICES as readonly string[]).includes(voice)) {
    sendJson(res, 400, { detail: `Invalid voice: ${voice}` });
    return;
  }
  if (!isFormat(format)) {
    sendJson(res, 400, { detail: `Invalid format: ${format}` });
    return;
  }
  if (httpFailure(ctx, caller, res)) return;
  const conversation = ctx.conversations.owned(conversationId, caller.account.accountId);
  if (!conversation) {
    sendJson(res, 404, { detail: 'Conversation not found' });
    return;
  }
  const message = ctx.conversations.message(conversation, messageId);
  if (!message || message.role !== 'assistant') {
    sendJson(res, 404, { detail: 'Message not found' });
    return;
  }

  const packets = audioPackets(message.text, format);
  res.writeHead(200, { 'content-type': AUDIO_CONTENT_TYPES[format], 'cache-control': 'no-store' });
  // Packets go out one by one (the slow mode spaces them), as a streaming encoder produces them.
  const { packetDelayMs: delay, cutAfterPackets } = ctx.speech;
  let next = 0;
  const write = (): void => {
    if (res.destroyed) return;
    if (cutAfterPackets !== null && next >= cutAfterPackets) {
      res.destroy();
      return;
    }
    if (next >= packets.length) {
      res.end();
      return;
    }
    const ok = res.write(packets[next++]);
    const go = () => (delay > 0 ? setTimeout(write, delay) : setImmediate(write));
    if (ok) go();
    else res.once('drain', go);
  };
  write();
}

export async function voiceTokenRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  ctx.stats.voiceTokenRequest(caller.account.accountId, body);
  const voice = typeof body.voice === 'string' ? body.voice : 'cove';
  if (!(SIM_VOICES as readonly string[]).includes(voice)) {
    sendJson(res, 400, { detail: `Invalid voice: ${voice}` });
    return;
  }
  if (httpFailure(ctx, caller, res)) return;
  const room = `voice-${uuid()}`;
  sendJson(res, 200, {
    url: SIM_LIVEKIT_URL,
    token: ctx.accounts.mintRoomToken(caller.account, room),
    e2ee_key: randomBytes(32).toString('base64'),
  });
}
