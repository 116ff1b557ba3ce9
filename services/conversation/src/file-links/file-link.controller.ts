import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CONVERSATION_FILE_LINK, conversationFailure, fileLinkNotFound, fileLinkRequestSchema, type BusError, type FileLinkReply, type FileLinkRequest } from '@chatgate/contracts';
import { AccountLeaseClient } from '@chatgate/service-kit';
import type { UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';
import { FileDownloadClient, type FileTarget } from '../shared/upstream/file-download.client.js';
import { FileLinkSealer, type FileLinkPayload } from '../shared/files/file-link-sealer.js';

// One answer for a forged link and for someone else's: a link either works or does not exist.
const NO_SUCH_LINK = { ok: false, failure: fileLinkNotFound() } as const;

function targetOf(p: FileLinkPayload): FileTarget {
  if (p.k === 'sandbox') return { kind: 'sandbox', path: p.id, conversationId: p.cv, messageId: p.ms };
  return { kind: p.k, id: p.id, conversationId: p.cv };
}

/**
 * Opens a generated-file link for the gateway and answers with the upstream's download URL. A
 * pool account's link is a capability: the sealed token names the account, which is leased by
 * id. A link to a file made with a caller's own ChatGPT token needs that same credential as the
 * Bearer, since the token holds no upstream credential.
 */
@Controller()
export class FileLinkController {
  constructor(
    private readonly sealer: FileLinkSealer,
    private readonly leases: AccountLeaseClient,
    private readonly downloads: FileDownloadClient,
  ) {}

  @MessagePattern(CONVERSATION_FILE_LINK)
  async resolve(@Payload() payload: unknown): Promise<FileLinkReply> {
    const parsed = fileLinkRequestSchema.safeParse(payload);
    if (!parsed.success) return NO_SUCH_LINK;
    const opened = this.sealer.open(parsed.data.token);
    if (!opened.ok) {
      return opened.reason === 'expired' ? { ok: false, failure: conversationFailure('file_link_expired', 'This file link has expired. Ask again in the conversation for a new link.') } : NO_SUCH_LINK;
    }
    const link = opened.payload;
    const identity = await this.identityFor(link, parsed.data.caller);
    if (!identity.ok) return identity;
    const result = await this.downloads.downloadUrl(identity.identity, targetOf(link));
    if (!result.ok) return result;
    return { ok: true, downloadUrl: result.downloadUrl, fileName: result.fileName ?? baseName(link) };
  }

  private async identityFor(link: FileLinkPayload, caller: FileLinkRequest['caller']): Promise<{ ok: true; identity: UpstreamIdentity } | { ok: false; failure: BusError }> {
    if (link.a !== null) {
      const reply = await this.leases.lease({ tenantId: link.t, model: link.m, exclude: [], allowed: [link.a], requestId: randomUUID(), purpose: 'download' });
      if (!reply.ok) return reply;
      const { lease } = reply;
      return { ok: true, identity: { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId } };
    }
    if (!caller) {
      return { ok: false, failure: conversationFailure('missing_api_key', 'This file was made with your own ChatGPT token: send that same credential as the Bearer to download it.') };
    }
    if (caller.credentialId !== link.c || caller.upstream.kind !== 'chatgpt_access_token') return NO_SUCH_LINK;
    return { ok: true, identity: { accessToken: caller.upstream.accessToken, chatgptAccountId: caller.upstream.accountId ?? null, deviceId: null } };
  }
}

function baseName(link: FileLinkPayload): string | null {
  if (link.k !== 'sandbox') return null;
  const name = link.id.slice(link.id.lastIndexOf('/') + 1);
  return name.length > 0 ? name : null;
}
