import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { BusError } from '@chatgate/contracts';
import type { LeasedAttempt } from '@chatgate/service-kit';
import { ChatGptFilesClient, type UploadedFile } from '../upstream/chatgpt-files.client.js';
import type { MessageContent } from '../upstream/conversation-request.js';
import type { PreparedMessage } from './input-loader.js';
import { UploadCache } from './upload-cache.js';

/** How long an account's upload is reused, and how many are remembered per worker. */
const CACHE_TTL_MS = 60 * 60 * 1000;
const CACHE_MAX_ENTRIES = 10_000;

export type UploadMessagesResult = { ok: true; messages: MessageContent[] } | { ok: false; failure: BusError };

/** Whose files these are upstream: the pool account, or (for a caller's own token) the token and workspace. */
export function accountKeyOf(attempt: LeasedAttempt): string {
  if (attempt.accountId) return `pool:${attempt.accountId}`;
  const { accessToken, chatgptAccountId } = attempt.identity;
  return `own:${createHash('sha256').update(`${accessToken}|${chatgptAccountId ?? ''}`).digest('hex')}`;
}

/**
 * Puts a job's files upstream for one attempt's account. Each attempt uploads with its own account
 * (a file of account A is invisible to B, so a rotation uploads again); bytes the account already
 * holds (same sha256) are not uploaded twice. The first failure ends the attempt with the upstream's
 * mapped error, so a 401 or 429 during an upload rotates accounts like one during a conversation.
 */
@Injectable()
export class AttemptUploads {
  readonly cache = new UploadCache(CACHE_TTL_MS, CACHE_MAX_ENTRIES);
  private uploads = 0;
  private reused = 0;

  constructor(private readonly files: ChatGptFilesClient) {}

  async upload(attempt: LeasedAttempt, messages: PreparedMessage[], signal: AbortSignal): Promise<UploadMessagesResult> {
    const account = accountKeyOf(attempt);
    const out: MessageContent[] = [];
    for (const message of messages) {
      const files: UploadedFile[] = [];
      // One after another: a message rarely has more than a few, and a failure stops the rest.
      for (const file of message.files) {
        const result = await this.cache.getOrUpload(account, file.sha256, () => this.files.upload(attempt.identity, file, signal));
        if (!result.ok) return result;
        if (result.reused) this.reused++;
        else this.uploads++;
        // The name and type are this message's; the same bytes may have come under another name.
        files.push({ ...result.file, name: file.name });
      }
      out.push({ text: message.text, files });
    }
    return { ok: true, messages: out };
  }

  stats(): { uploads: number; reused: number } {
    return { uploads: this.uploads, reused: this.reused };
  }
}
