import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request } from 'undici';
import type { BusError } from '@chatgate/contracts';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../conversation.config.js';
import type { UpstreamIdentity } from './chatgpt.client.js';
import { mapUpstreamFailure } from './upstream-errors.js';

/** Where the upstream hands out a generated file's download URL (reference §4). */
export type FileTarget =
  | { kind: 'file'; id: string; conversationId: string }
  | { kind: 'sediment'; id: string; conversationId: string }
  | { kind: 'sandbox'; path: string; conversationId: string; messageId: string };

export type DownloadUrlResult = { ok: true; downloadUrl: string; fileName: string | null } | { ok: false; failure: BusError };

const enc = encodeURIComponent;

export function downloadPath(target: FileTarget): string {
  switch (target.kind) {
    case 'file':
      return `/backend-api/files/download/${enc(target.id)}?conversation_id=${enc(target.conversationId)}&inline=false`;
    case 'sediment':
      return `/backend-api/conversation/${enc(target.conversationId)}/attachment/${enc(target.id)}/download`;
    case 'sandbox':
      return `/backend-api/conversation/${enc(target.conversationId)}/interpreter/download?message_id=${enc(target.messageId)}&sandbox_path=${enc(target.path)}`;
  }
}

const NOT_FOUND: BusError = {
  status: 404,
  error: { message: 'The upstream no longer has this file (or the conversation was deleted).', type: 'invalid_request_error', param: null, code: 'file_not_found' },
};

/** Asks the upstream for a generated file's short-lived download URL, as the account that made it. */
@Injectable()
export class FileDownloadClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly base: string;

  constructor(@Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig) {
    this.base = config.CHATGPT_BASE_URL.split(',')[0].trim().replace(/\/+$/, '');
    this.agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS }, headersTimeout: 15_000, bodyTimeout: 15_000 });
  }

  async onApplicationShutdown() {
    await this.agent.close().catch(() => undefined);
  }

  private headers(identity: UpstreamIdentity): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${identity.accessToken}`, accept: 'application/json', 'oai-language': 'en-US' };
    if (identity.deviceId) headers['oai-device-id'] = identity.deviceId;
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    return headers;
  }

  /** `GET /backend-api/conversation/<id>` (reference §5), or null when it cannot be read now. */
  async conversation(identity: UpstreamIdentity, conversationId: string, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    try {
      const res = await request(`${this.base}/backend-api/conversation/${enc(conversationId)}`, { method: 'GET', headers: this.headers(identity), dispatcher: this.agent, signal });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return null;
      }
      const body: unknown = await res.body.json();
      return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  async downloadUrl(identity: UpstreamIdentity, target: FileTarget): Promise<DownloadUrlResult> {
    const headers = this.headers(identity);
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.base}${downloadPath(target)}`, { method: 'GET', headers, dispatcher: this.agent });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const code = (err as { code?: string })?.code ?? 'unknown error';
      return { ok: false, failure: { status: 502, error: { message: `The upstream could not be reached for the file (${code}).`, type: 'upstream_error', param: null, code: 'upstream_unreachable' } } };
    }
    if (status === 404) return { ok: false, failure: NOT_FOUND };
    if (status < 200 || status >= 300) return { ok: false, failure: mapUpstreamFailure(status, text.slice(0, 64 * 1024)) };
    try {
      const body = JSON.parse(text) as { download_url?: unknown; file_name?: unknown };
      const url = typeof body.download_url === 'string' ? new URL(body.download_url) : null;
      if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
        return { ok: true, downloadUrl: url.toString(), fileName: typeof body.file_name === 'string' ? body.file_name : null };
      }
    } catch {
      // fall through: not the answer the reference describes
    }
    return { ok: false, failure: { status: 502, error: { message: 'The upstream gave no download URL for the file.', type: 'upstream_error', param: null, code: 'upstream_error' } } };
  }
}
