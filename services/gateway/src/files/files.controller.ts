import { randomUUID } from 'node:crypto';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FILE_DOWNLOAD_JOBS, fileLinkNotFound, type FileDownloadJob, type FileFrame } from '@chatgate/contracts';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { ApiError } from '../shared/errors/api-error.js';
import { sendFailure } from '../shared/errors/send-failure.js';
import { GatewayJobs } from '../shared/jobs/gateway-jobs.js';
import { dispositionOf } from './content-disposition.js';

/**
 * `GET /v1/files/<token>`: a generated image or file behind a sealed, short-lived link. The link
 * itself is the capability (no Bearer), so it opens in any client. A worker opens it, fetches the
 * file from the upstream's store through the account's outbound proxy (at most
 * FILE_DOWNLOAD_MAX_BYTES) and streams it here as a file download job, so clients never see
 * upstream URLs or credentials and the gateway itself never calls out.
 */
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly jobs: GatewayJobs,
  ) {}

  @Get(':token')
  async download(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (token.length > 4096) throw ApiError.fromBus(fileLinkNotFound());
    const job: FileDownloadJob = { requestId: randomUUID(), token, caller: await this.callerOf(req) };
    const payload = this.jobs.encode(FILE_DOWNLOAD_JOBS, job);
    const raw = reply.raw;
    let started = false;
    const onFrame = (frame: FileFrame) => {
      switch (frame.t) {
        case 'head': {
          started = true;
          reply.hijack();
          const headers: Record<string, string> = {
            'content-type': frame.contentType,
            'content-disposition': dispositionOf(frame.contentType, frame.fileName),
            // The file is the model's output, served from the gateway's origin: it may never run as a page
            // there (an HTML or SVG file from the code interpreter would otherwise be script on this origin).
            'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, max-age=300',
            'x-request-id': job.requestId,
          };
          if (frame.contentLength !== null) headers['content-length'] = String(frame.contentLength);
          raw.writeHead(200, headers);
          return;
        }
        case 'data':
          if (started) raw.write(frame.bytes);
          return;
        case 'end':
          if (started) raw.end();
          return;
        case 'error':
          // After the head the download is cut: a client never keeps half a file for a whole one.
          if (started) raw.destroy();
          else sendFailure(reply, frame, job.requestId);
          return;
        case 'hb':
          return;
      }
    };
    return this.jobs.run(FILE_DOWNLOAD_JOBS, job, payload, onFrame, raw);
  }

  /** Links to files made with a caller's own ChatGPT token need that credential; others ignore any Bearer. */
  private async callerOf(req: FastifyRequest): Promise<FileDownloadJob['caller']> {
    if (!req.headers.authorization) return undefined;
    try {
      const principal = await this.credentials.resolve(bearerFrom(req.headers.authorization), undefined, req.ip);
      return { credentialId: principal.credentialId, upstream: principal.upstream };
    } catch {
      return undefined;
    }
  }
}
