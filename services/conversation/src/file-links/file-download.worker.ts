import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { conversationFailure, dataFramesOf, FILE_DOWNLOAD_JOBS, fileTooLarge, type FileDownloadJob, type FileFrame } from '@chatgate/contracts';
import { JobWorkerService, NATS_CONNECTION, WorkerCapacity, type JobRun, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { ChatGptClient } from '../shared/upstream/chatgpt.client.js';
import { FileLinkOpener } from './file-link-opener.js';

const headerOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * `GET /v1/files/<token>` (FILE_DOWNLOAD_JOBS): opens the link, asks the upstream for the download URL
 * as the account that made the file, then fetches the file through that account's outbound proxy
 * (as every call of the account goes) and streams it back, at most FILE_DOWNLOAD_MAX_BYTES: a store
 * that declares more is refused before anything is sent, one that sends more is cut.
 */
@Injectable()
export class FileDownloadWorker extends JobWorkerService<FileDownloadJob, FileFrame> {
  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    capacity: WorkerCapacity,
    private readonly links: FileLinkOpener,
    private readonly client: ChatGptClient,
  ) {
    super(nc, { protocol: FILE_DOWNLOAD_JOBS, capacity, config, logger, doing: 'downloading' });
  }

  protected async handle(run: JobRun<FileDownloadJob, FileFrame>): Promise<void> {
    const { job, abort } = run;
    const signal = abort.signal;
    const link = await this.links.open(job, signal);
    if (!link.ok) return run.send({ t: 'error', ...link.failure });
    let fetched;
    try {
      fetched = await this.client.fetchFile(link.identity, link.downloadUrl, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.logger.warn({ requestId: job.requestId, err: (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err)) }, "the upstream's file store could not be reached");
      return run.send({ t: 'error', ...conversationFailure('upstream_error', "The upstream's file store could not be reached.") });
    }
    if (!fetched.ok) return run.send({ t: 'error', ...fetched.failure });
    const { res } = fetched;
    const max = this.config.FILE_DOWNLOAD_MAX_BYTES;
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      return run.send({ t: 'error', ...conversationFailure('upstream_error', `The upstream's file store refused the download (HTTP ${res.statusCode}).`) });
    }
    const declared = Number(headerOf(res.headers['content-length']));
    const contentLength = Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
    if (contentLength !== null && contentLength > max) {
      await res.body.dump().catch(() => undefined);
      return run.send({ t: 'error', ...fileTooLarge(max) });
    }
    run.send({ t: 'head', contentType: headerOf(res.headers['content-type']) ?? 'application/octet-stream', contentLength, fileName: link.fileName });
    let total = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > max) {
          res.body.destroy();
          return run.send({ t: 'error', ...fileTooLarge(max) });
        }
        for (const frame of dataFramesOf(chunk)) run.send(frame);
        // A slow client: stop reading the file store until the gateway's window opens again.
        await run.drained();
      }
    } catch {
      if (signal.aborted) return;
      return run.send({ t: 'error', ...conversationFailure('upstream_error', "The upstream's file store broke off the download.") });
    }
    run.send({ t: 'end' });
  }
}
