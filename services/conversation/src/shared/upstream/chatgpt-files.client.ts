import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { upstreamFailure, upstreamUnreachable, type BusError } from '@chatgate/contracts';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../../conversation.config.js';
import { ChatGptClient, type UpstreamIdentity } from './chatgpt.client.js';

/** Bytes ready to go upstream, with what the message needs to point at them. */
export interface FileToUpload {
  bytes: Buffer;
  sha256: string;
  name: string;
  mimeType: string;
  /** Images go as image_asset_pointer parts (with their dimensions); everything else is a document. */
  image: { width: number; height: number } | null;
}

/** A file the upstream holds for one account: what the message's pointer and attachment say. */
export interface UploadedFile {
  fileId: string;
  name: string;
  mimeType: string;
  size: number;
  image: { width: number; height: number } | null;
}

export type UploadResult = { ok: true; file: UploadedFile } | { ok: false; failure: BusError };

/** First wait between two indexing polls; doubled up to a second. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;

/**
 * The upload flow of reference §4, for one account: create the file, PUT the bytes to the blob URL
 * the upstream gave (no Authorization: the URL carries its own signature, and the account's token
 * must never reach the blob store), mark it uploaded, and for documents wait until indexing is done.
 */
@Injectable()
export class ChatGptFilesClient implements OnApplicationShutdown {
  private readonly blobAgent: Agent;

  constructor(
    private readonly client: ChatGptClient,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {
    this.blobAgent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS }, headersTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS, bodyTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS });
  }

  async onApplicationShutdown() {
    await this.blobAgent.close().catch(() => undefined);
  }

  async upload(identity: UpstreamIdentity, file: FileToUpload, signal: AbortSignal): Promise<UploadResult> {
    try {
      return await this.run(identity, file, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const code = (err as { code?: string })?.code;
      return { ok: false, failure: upstreamUnreachable(code ?? (err instanceof Error ? err.message : 'unknown error')) };
    }
  }

  private async run(identity: UpstreamIdentity, file: FileToUpload, signal: AbortSignal): Promise<UploadResult> {
    const created = await this.client.callJson(
      identity,
      'POST',
      '/backend-api/files',
      { file_name: file.name, file_size: file.bytes.length, use_case: file.image ? 'multimodal' : 'my_files', timezone_offset_min: 0, reset_rate_limits: false },
      signal,
    );
    if (!created.ok) return created;
    const fileId = created.json.file_id;
    const uploadUrl = created.json.upload_url;
    if (typeof fileId !== 'string' || typeof uploadUrl !== 'string' || !/^https?:\/\//.test(uploadUrl)) {
      return { ok: false, failure: upstreamFailure('upstream_upload_failed', 'The upstream did not give an upload URL for the file.') };
    }

    const put = await request(uploadUrl, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2020-04-08', 'content-type': file.mimeType, 'content-length': String(file.bytes.length) },
      body: file.bytes,
      dispatcher: this.blobAgent,
      signal,
    });
    await put.body.dump();
    if (put.statusCode !== 201 && put.statusCode !== 200) {
      return { ok: false, failure: upstreamFailure('upstream_upload_failed', `The upstream's blob store refused the file (status ${put.statusCode}).`) };
    }

    const marked = await this.client.callJson(identity, 'POST', `/backend-api/files/${encodeURIComponent(fileId)}/uploaded`, {}, signal);
    if (!marked.ok) return marked;

    if (!file.image) {
      const indexed = await this.waitIndexed(identity, fileId, signal);
      if (indexed) return { ok: false, failure: indexed };
    }
    return { ok: true, file: { fileId, name: file.name, mimeType: file.mimeType, size: file.bytes.length, image: file.image } };
  }

  /** Polls the file until its retrieval index is ready; null when it is, else the failure. Bounded by UPLOAD_INDEX_TIMEOUT_MS. */
  private async waitIndexed(identity: UpstreamIdentity, fileId: string, signal: AbortSignal): Promise<BusError | null> {
    const deadline = Date.now() + this.config.UPLOAD_INDEX_TIMEOUT_MS;
    let wait = FIRST_POLL_MS;
    for (;;) {
      const res = await this.client.callJson(identity, 'GET', `/backend-api/files/${encodeURIComponent(fileId)}`, undefined, signal);
      if (!res.ok) return res.failure;
      const status = res.json.retrieval_index_status;
      if (status === 'success') return null;
      if (status === 'failed' || status === 'error') {
        return upstreamFailure('file_processing_failed', 'The upstream could not process the document (indexing failed).');
      }
      if (Date.now() + wait > deadline) {
        return upstreamFailure('file_processing_timeout', `The upstream did not finish processing the document within ${this.config.UPLOAD_INDEX_TIMEOUT_MS} ms.`);
      }
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 2, MAX_POLL_MS);
    }
  }
}
