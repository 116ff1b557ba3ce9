import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { conversationFailure, fileLinkNotFound, type BusError, type FileLinkRequest } from '@chatgate/contracts';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { FileLinkSealer, type FileLinkPayload } from '../shared/files/file-link-sealer.js';
import type { UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';
import { FileDownloadClient, type FileTarget } from '../shared/upstream/file-download.client.js';

// One answer for a forged link and for someone else's: a link either works or does not exist.
const NO_SUCH_LINK = { ok: false, failure: fileLinkNotFound() } as const;

/** An opened link: the upstream's download URL and who may fetch it. */
export type OpenedLink = { ok: true; identity: UpstreamIdentity; downloadUrl: string; fileName: string | null } | { ok: false; failure: BusError };

function targetOf(p: FileLinkPayload): FileTarget {
  if (p.k === 'sandbox') return { kind: 'sandbox', path: p.id, conversationId: p.cv, messageId: p.ms };
  return { kind: p.k, id: p.id, conversationId: p.cv };
}

function baseName(link: FileLinkPayload): string | null {
  if (link.k !== 'sandbox') return null;
  const name = link.id.slice(link.id.lastIndexOf('/') + 1);
  return name.length > 0 ? name : null;
}

/**
 * Opens a generated-file link: checks the seal and expiry, finds the identity that made the file and
 * asks the upstream for its short-lived download URL. A pool account's link is a capability: the
 * sealed token names the account, which is leased by id. A link to a file made with a caller's own
 * ChatGPT token needs that same credential as the Bearer, since the token holds no upstream credential.
 */
@Injectable()
export class FileLinkOpener {
  constructor(
    private readonly sealer: FileLinkSealer,
    private readonly leases: AccountLeaseClient,
    private readonly downloads: FileDownloadClient,
  ) {}

  async open(request: FileLinkRequest, signal?: AbortSignal): Promise<OpenedLink> {
    const opened = this.sealer.open(request.token);
    if (!opened.ok) {
      return opened.reason === 'expired' ? { ok: false, failure: conversationFailure('file_link_expired', 'This file link has expired. Ask again in the conversation for a new link.') } : NO_SUCH_LINK;
    }
    const link = opened.payload;
    const identity = await this.identityFor(link, request.caller);
    if (!identity.ok) return identity;
    const result = await this.downloads.downloadUrl(identity.identity, targetOf(link), signal);
    if (!result.ok) return result;
    return { ok: true, identity: identity.identity, downloadUrl: result.downloadUrl, fileName: result.fileName ?? baseName(link) };
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
