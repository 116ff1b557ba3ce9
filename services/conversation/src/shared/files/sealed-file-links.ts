import type { ChatJob } from '@chatgate/contracts';
import { HISTORY_OFF_REASON, type FileLinks, type LinkResult } from './file-links.js';
import type { FileLinkPayload, FileLinkSealer } from './file-link-sealer.js';

export interface LinkContext {
  readonly job: ChatJob;
  /** The upstream model slug of the turn. */
  readonly slug: string;
  readonly ttlSec: number;
  /** The pool account of the current attempt; null for the caller's own token. */
  accountId(): string | null;
  conversationId(): string | null;
}

/** Links to `/v1/files/<sealed token>` on the gateway, valid for FILE_LINK_TTL_SEC. */
export class SealedFileLinks implements FileLinks {
  constructor(
    private readonly sealer: FileLinkSealer,
    private readonly ctx: LinkContext,
  ) {}

  image(pointer: string, messageId: string): LinkResult {
    const match = /^(file-service|sediment):\/\/(.+)$/.exec(pointer);
    if (!match) return { unavailable: 'the upstream named it in a way chatgate does not know' };
    return this.link(match[1] === 'sediment' ? 'sediment' : 'file', match[2], messageId);
  }

  sandbox(path: string, messageId: string): LinkResult {
    return this.link('sandbox', path, messageId);
  }

  private link(kind: FileLinkPayload['k'], id: string, messageId: string): LinkResult {
    const { job } = this.ctx;
    // Upstream keeps generated files only in saved conversations.
    if (job.historyDisabled) return { unavailable: HISTORY_OFF_REASON };
    if (!job.filesBaseUrl) return { unavailable: 'the gateway has no public address for file links' };
    const conversationId = this.ctx.conversationId();
    if (conversationId === null) return { unavailable: 'the upstream named no conversation' };
    const token = this.sealer.seal({
      v: 1,
      t: job.tenantId,
      a: this.ctx.accountId(),
      c: job.credentialId,
      m: this.ctx.slug,
      k: kind,
      id,
      cv: conversationId,
      ms: messageId,
      ex: Math.floor(Date.now() / 1000) + this.ctx.ttlSec,
    });
    return { url: `${job.filesBaseUrl}${token}` };
  }
}
