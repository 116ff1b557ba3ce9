import { Injectable } from '@nestjs/common';
import { upstreamFailure, type BusError } from '@chatgate/contracts';
import { chatgptHttpFailure } from '@chatgate/service-kit';
import { ChatGptClient, type UpstreamIdentity } from './chatgpt.client.js';

/** Where the upstream hands out a generated file's download URL (reference §4). */
export type FileTarget =
  | { kind: 'file'; id: string; conversationId: string }
  | { kind: 'sediment'; id: string; conversationId: string }
  | { kind: 'sandbox'; path: string; conversationId: string; messageId: string };

export type DownloadUrlResult = { ok: true; downloadUrl: string; fileName: string | null } | { ok: false; failure: BusError };

const enc = encodeURIComponent;

/** The upstream answers a download URL or a conversation quickly; a link is not left hanging longer. */
const ANSWER_TIMEOUT_MS = 15_000;

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

const NOT_FOUND = upstreamFailure('file_not_found', 'The upstream no longer has this file (or the conversation was deleted).');

function signalOf(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * Asks the upstream for a generated file's short-lived download URL, and reads saved conversations,
 * as the account that made them. Every call goes through ChatGptClient, so through the account's
 * outbound proxy and the base URL rotation like any other upstream call.
 */
@Injectable()
export class FileDownloadClient {
  constructor(private readonly chatgpt: ChatGptClient) {}

  /** `GET /backend-api/conversation/<id>` (reference §5), or null when it cannot be read now. */
  async conversation(identity: UpstreamIdentity, conversationId: string, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    try {
      const res = await this.chatgpt.getText(identity, `/backend-api/conversation/${enc(conversationId)}`, signalOf(signal));
      if (!res.ok || res.status !== 200) return null;
      const body: unknown = JSON.parse(res.text);
      return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  async downloadUrl(identity: UpstreamIdentity, target: FileTarget, signal?: AbortSignal): Promise<DownloadUrlResult> {
    let status: number;
    let text: string;
    try {
      const res = await this.chatgpt.getText(identity, downloadPath(target), signalOf(signal));
      if (!res.ok) return res;
      ({ status, text } = res);
    } catch (err) {
      const code = (err as { code?: string; name?: string })?.code ?? (err as { name?: string })?.name ?? 'unknown error';
      return { ok: false, failure: upstreamFailure('upstream_unreachable', `The upstream could not be reached for the file (${code}).`) };
    }
    if (status === 404) return { ok: false, failure: NOT_FOUND };
    if (status < 200 || status >= 300) return { ok: false, failure: chatgptHttpFailure(status, text) };
    try {
      const body = JSON.parse(text) as { download_url?: unknown; file_name?: unknown };
      const url = typeof body.download_url === 'string' ? new URL(body.download_url) : null;
      if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
        return { ok: true, downloadUrl: url.toString(), fileName: typeof body.file_name === 'string' ? body.file_name : null };
      }
    } catch {
      // fall through: not the answer the reference describes
    }
    return { ok: false, failure: upstreamFailure('upstream_error', 'The upstream gave no download URL for the file.') };
  }
}
