import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request, type Dispatcher } from 'undici';
import { ConversationStreamDecoder } from '@chatgate/protocol';
import { livekitRoomSchema, upstreamReported, upstreamStreamCut, upstreamUnreadable, type BusError, type LivekitRoom, type NativeVoice, type UpstreamAudioFormat } from '@chatgate/contracts';
import { VOICE_CONFIG, type VoiceConfig } from '../voice.config.js';
import { BaseUrlRotation, chatgptHttpFailure, neverReachedUpstream, transportFailure, readCapped, type UpstreamIdentity } from '@chatgate/service-kit';

/** Who an upstream request is made as (service-kit's, shared with the conversation workers). */
export type { UpstreamIdentity };

export type Failed = { ok: false; failure: BusError };
export type SpokenMessage = { ok: true; conversationId: string; messageId: string } | Failed;
export type AudioStream = { ok: true; contentType: string; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } } | Failed;
export type RoomAnswer = { ok: true; room: LivekitRoom } | Failed;

/** A room answer is a few hundred bytes; anything much larger is not one. */
const ROOM_BODY_LIMIT = 64 * 1024;

/** A stable device id per token or workspace, as the web client keeps one per browser (reference §2). */
function derivedDeviceId(identity: UpstreamIdentity): string {
  const h = createHash('sha256').update(identity.chatgptAccountId ?? identity.accessToken).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function failedWith(res: Dispatcher.ResponseData, text: string): Failed {
  const retryAfter = res.headers['retry-after'];
  // A 2xx in the wrong shape is a challenge or an error page in disguise.
  const status = res.statusCode >= 200 && res.statusCode < 300 ? 502 : res.statusCode;
  return { ok: false, failure: chatgptHttpFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) };
}

/**
 * The voice service's side of the ChatGPT upstream (reference §6): free text becomes an assistant
 * message of a saved conversation, the message is synthesised, the conversation hidden; voice
 * chat rooms come from /voice/get_token. Several bases (CHATGPT_BASE_URL) in turn, AUTH_KEY on
 * every request, one keep-alive pool.
 */
@Injectable()
export class VoiceUpstreamClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly bases: BaseUrlRotation;

  constructor(@Inject(VOICE_CONFIG) private readonly config: VoiceConfig) {
    this.bases = new BaseUrlRotation(config.CHATGPT_BASE_URL.split(',').map((b) => b.trim().replace(/\/+$/, '')).filter(Boolean));
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 256,
      connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS },
      headersTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
      bodyTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
    });
  }

  async onApplicationShutdown() {
    await this.agent.close().catch(() => undefined);
  }

  private headers(identity: UpstreamIdentity, extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${identity.accessToken}`,
      'oai-device-id': identity.deviceId ?? derivedDeviceId(identity),
      'oai-language': 'en-US',
      ...extra,
    };
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    return headers;
  }

  /** Tries the bases in rotation order; moves on only when a base could not be reached at all. */
  private async send(path: string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'dispatcher'>): Promise<Dispatcher.ResponseData> {
    let lastError: unknown;
    for (const base of this.bases.order()) {
      try {
        const res = await request(`${base}${path}`, { ...options, dispatcher: this.agent });
        this.bases.reachable(base);
        return res;
      } catch (err) {
        if (!neverReachedUpstream(err)) throw err;
        this.bases.unreachable(base);
        lastError = err;
      }
    }
    throw lastError;
  }

  /**
   * Posts `text` as an assistant message of a new saved conversation and reads the reply stream only
   * until the upstream names the conversation (the message is stored by then), then lets go: the
   * reply the upstream starts writing is not wanted.
   */
  async postAssistantMessage(identity: UpstreamIdentity, text: string, signal: AbortSignal): Promise<SpokenMessage> {
    const messageId = randomUUID();
    const body = {
      action: 'next',
      messages: [{ id: messageId, author: { role: 'assistant' }, create_time: Date.now() / 1000, content: { content_type: 'text', parts: [text] }, metadata: {} }],
      parent_message_id: 'client-created-root',
      model: 'auto',
      timezone_offset_min: 0,
      timezone: 'UTC',
      // Synthesize reads a saved message: this conversation must not be a temporary chat.
      history_and_training_disabled: false,
      conversation_mode: { kind: 'primary_assistant' },
      supported_encodings: ['v1'],
      force_use_sse: true,
      system_hints: [],
      suggestions: [],
    };
    let responded = false;
    try {
      const res = await this.send(this.config.CHATGPT_CONVERSATION_PATH, {
        method: 'POST',
        headers: this.headers(identity, { 'content-type': 'application/json', accept: 'text/event-stream' }),
        body: JSON.stringify(body),
        signal,
      });
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.statusCode < 200 || res.statusCode >= 300 || !contentType.includes('text/event-stream')) return failedWith(res, await readCapped(res.body));
      responded = true;
      const decoder = new ConversationStreamDecoder();
      try {
        for await (const chunk of res.body) {
          for (const event of decoder.push(chunk as Uint8Array)) {
            if (event.type === 'error') return { ok: false, failure: upstreamReported(event.message, event.code) };
          }
          if (decoder.conversationId) return { ok: true, conversationId: decoder.conversationId, messageId };
        }
        for (const event of decoder.end()) if (event.type === 'error') return { ok: false, failure: upstreamReported(event.message, event.code) };
        if (decoder.conversationId) return { ok: true, conversationId: decoder.conversationId, messageId };
        return { ok: false, failure: upstreamStreamCut('the conversation stream') };
      } finally {
        res.body.destroy();
      }
    } catch (err) {
      return { ok: false, failure: transportFailure(err, responded, 'the conversation stream') };
    }
  }

  /** The message read aloud, as the upstream streams it. */
  async synthesize(identity: UpstreamIdentity, what: { conversationId: string; messageId: string; voice: NativeVoice; format: UpstreamAudioFormat }, signal: AbortSignal): Promise<AudioStream> {
    const query = new URLSearchParams({ message_id: what.messageId, conversation_id: what.conversationId, voice: what.voice, format: what.format });
    try {
      const res = await this.send(`/backend-api/synthesize?${query}`, { method: 'GET', headers: this.headers(identity, { accept: 'audio/*' }), signal });
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.statusCode !== 200 || !contentType.startsWith('audio/')) return failedWith(res, await readCapped(res.body));
      return { ok: true, contentType, body: res.body };
    } catch (err) {
      return { ok: false, failure: transportFailure(err, false, 'the audio') };
    }
  }

  /** Hides a conversation made only to be read aloud. True when the upstream confirmed it. */
  async hide(identity: UpstreamIdentity, conversationId: string): Promise<boolean> {
    try {
      const res = await this.send(`/backend-api/conversation/${encodeURIComponent(conversationId)}`, {
        method: 'PATCH',
        headers: this.headers(identity, { 'content-type': 'application/json' }),
        body: JSON.stringify({ is_visible: false }),
      });
      await readCapped(res.body);
      return res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      return false;
    }
  }

  /** A LiveKit room for voice chat with this account. */
  async voiceRoom(identity: UpstreamIdentity, options: { voice: NativeVoice }): Promise<RoomAnswer> {
    const body = {
      voice: options.voice,
      voice_mode: 'standard',
      parent_message_id: 'client-created-root',
      model_slug: 'auto',
      language: 'auto',
      voice_session_id: randomUUID(),
      timezone_offset_min: 0,
    };
    try {
      const res = await this.send('/voice/get_token', {
        method: 'POST',
        headers: this.headers(identity, { 'content-type': 'application/json', accept: 'application/json' }),
        body: JSON.stringify(body),
      });
      const text = await readCapped(res.body, ROOM_BODY_LIMIT);
      if (res.statusCode !== 200) return failedWith(res, text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return failedWith(res, text);
      }
      const room = livekitRoomSchema.safeParse(parsed);
      return room.success ? { ok: true, room: room.data } : { ok: false, failure: upstreamUnreadable('a voice room chatgate does not understand') };
    } catch (err) {
      return { ok: false, failure: transportFailure(err, false, 'the voice room') };
    }
  }
}
