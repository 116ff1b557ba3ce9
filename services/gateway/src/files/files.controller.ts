import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { firstValueFrom, timeout } from 'rxjs';
import { request } from 'undici';
import { CONVERSATION_FILE_LINK, fileLinkNotFound, fileLinkReplySchema, serviceUnavailable, upstreamFailure, type FileLinkRequest } from '@chatgate/contracts';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { ApiError } from '../shared/errors/api-error.js';
import { CONVERSATION_CLIENT } from '../shared/bus/conversation-client.token.js';
import { dispositionOf } from './content-disposition.js';

const LINK_TIMEOUT_MS = 20_000;
const BLOB_TIMEOUT_MS = 30_000;

/**
 * `GET /v1/files/<token>`: a generated image or file behind a sealed, short-lived link. The link
 * itself is the capability (no Bearer), so it opens in any client; a worker turns it into the
 * upstream's download URL and the bytes stream through here, so clients never see upstream URLs
 * or credentials.
 */
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly credentials: CredentialResolver,
    @Inject(CONVERSATION_CLIENT) private readonly conversation: ClientProxy,
  ) {}

  @Get(':token')
  async download(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (token.length > 4096) throw ApiError.fromBus(fileLinkNotFound());
    const request_: FileLinkRequest = { token, caller: await this.callerOf(req) };
    let raw: unknown;
    try {
      raw = await firstValueFrom(this.conversation.send(CONVERSATION_FILE_LINK, request_).pipe(timeout(LINK_TIMEOUT_MS)));
    } catch {
      throw ApiError.fromBus(serviceUnavailable('conversation service'));
    }
    const link = fileLinkReplySchema.parse(raw);
    if (!link.ok) throw ApiError.fromBus(link.failure);

    let blob: Awaited<ReturnType<typeof request>>;
    try {
      blob = await request(link.downloadUrl, { method: 'GET', headersTimeout: BLOB_TIMEOUT_MS, bodyTimeout: BLOB_TIMEOUT_MS });
    } catch {
      throw ApiError.fromBus(upstreamFailure('upstream_unreachable', "The upstream's file store could not be reached."));
    }
    if (blob.statusCode !== 200) {
      await blob.body.dump().catch(() => undefined);
      throw ApiError.fromBus(upstreamFailure('upstream_error', `The upstream's file store refused the download (HTTP ${blob.statusCode}).`));
    }
    const rawType = blob.headers['content-type'];
    const type = typeof rawType === 'string' ? rawType : 'application/octet-stream';
    const length = blob.headers['content-length'];
    reply.header('content-type', type);
    if (typeof length === 'string') reply.header('content-length', length);
    reply.header('content-disposition', dispositionOf(type, link.fileName));
    // The file is the model's output, served from the gateway's origin: it may never run as a page
    // there (an HTML or SVG file from the code interpreter would otherwise be script on this origin).
    reply.header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'private, max-age=300');
    await reply.send(blob.body);
  }

  /** Links to files made with a caller's own ChatGPT token need that credential; others ignore any Bearer. */
  private async callerOf(req: FastifyRequest): Promise<FileLinkRequest['caller']> {
    if (!req.headers.authorization) return undefined;
    try {
      const principal = await this.credentials.resolve(bearerFrom(req.headers.authorization), undefined);
      return { credentialId: principal.credentialId, upstream: principal.upstream };
    } catch {
      return undefined;
    }
  }
}

