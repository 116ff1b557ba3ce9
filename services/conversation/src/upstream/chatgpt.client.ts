import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request } from 'undici';
import type { BusError } from '@chatgate/contracts';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../conversation.config.js';
import { BaseUrlRotation, neverReachedUpstream } from './base-url-rotation.js';
import { mapUpstreamFailure } from './upstream-errors.js';

export type ConversationResponse =
  | { ok: true; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

/** Error bodies are read only this far: enough for a JSON detail or to spot a challenge page. */
const ERROR_BODY_LIMIT = 64 * 1024;

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): void }): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= ERROR_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_LIMIT);
}

/** Who the upstream request is made as: one attempt's access token and workspace. */
export interface UpstreamIdentity {
  accessToken: string;
  chatgptAccountId: string | null;
  /** Pool accounts keep theirs in the database; for a caller's own token it is derived. */
  deviceId: string | null;
}

/** A stable device id per token or workspace, as the web client keeps one per browser (reference §2). */
function derivedDeviceId(identity: UpstreamIdentity): string {
  const h = createHash('sha256').update(identity.chatgptAccountId ?? identity.accessToken).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The HTTP side of the ChatGPT upstream: one keep-alive connection pool for all requests, several
 * interchangeable base URLs taken in turn.
 */
@Injectable()
export class ChatGptClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly bases: BaseUrlRotation;

  constructor(@Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig) {
    this.bases = new BaseUrlRotation(config.CHATGPT_BASE_URL.split(',').map((b) => b.trim().replace(/\/+$/, '')).filter(Boolean));
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 512,
      pipelining: 1,
      connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS },
      headersTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
      bodyTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
    });
  }

  async onApplicationShutdown() {
    await this.agent.close().catch(() => undefined);
  }

  /** Tries the bases in rotation order; moves on only when a base could not be reached at all. */
  private async sendToFirstReachable<T>(send: (base: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const base of this.bases.order()) {
      try {
        const res = await send(base);
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

  private headersFor(identity: UpstreamIdentity, accept: string): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${identity.accessToken}`,
      'content-type': 'application/json',
      accept,
      'oai-device-id': identity.deviceId ?? derivedDeviceId(identity),
      'oai-language': 'en-US',
    };
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    // Private upstream gateways (AUTH_KEY) want their key on every request.
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    return headers;
  }

  /**
   * A plain JSON call (conversation management: list, read, rename, hide, title, feedback). The
   * answer's body is read up to the error-body cap; these answers are small except a long
   * conversation's mapping, which is why a successful body is read whole.
   */
  async callJson(identity: UpstreamIdentity, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const headers = this.headersFor(identity, 'application/json');
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.sendToFirstReachable((base) => request(`${base}${path}`, { method, headers, body: payload, dispatcher: this.agent }));
    const text = res.statusCode >= 200 && res.statusCode < 300 ? await res.body.text() : await readCapped(res.body);
    return { status: res.statusCode, text };
  }

  async openConversation(identity: UpstreamIdentity, body: unknown, signal: AbortSignal): Promise<ConversationResponse> {
    const headers = this.headersFor(identity, 'text/event-stream');
    const payload = JSON.stringify(body);
    const res = await this.sendToFirstReachable((base) =>
      request(`${base}${this.config.CHATGPT_CONVERSATION_PATH}`, { method: 'POST', headers, body: payload, dispatcher: this.agent, signal }),
    );
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && contentType.includes('text/event-stream')) {
      return { ok: true, body: res.body };
    }
    const text = await readCapped(res.body);
    const retryAfter = res.headers['retry-after'];
    // A 200 that is not a stream is a challenge or an error page in disguise.
    const status = res.statusCode >= 200 && res.statusCode < 300 ? 502 : res.statusCode;
    return { ok: false, failure: mapUpstreamFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) };
  }
}
