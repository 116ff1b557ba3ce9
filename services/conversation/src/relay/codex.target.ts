import { Injectable } from '@nestjs/common';
import { codexPathSchema, dataFrames, jobFailure, notAnObject, unknownUrl, type BusError, type RelayJob } from '@chatgate/contracts';
import type { CodexChatRequest, CodexSink } from '../shared/codex/run-codex-chat.js';
import type { RelayRun, RelayTarget } from './relay-target.js';

/** What the target needs of CodexChatRunner (an interface, so the mapping is tested without a worker). */
export interface CodexRunning {
  run(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void>;
  responses?(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void>;
  compact?(request: CodexChatRequest, sink: CodexSink, signal: AbortSignal): Promise<void>;
}

/** The job as the Codex runner takes it, or why it cannot be one (a gateway of another version, a forged job). */
export function codexRequestOf(job: RelayJob): CodexChatRequest | BusError {
  const path = codexPathSchema.safeParse(job.request.path);
  if (!path.success || job.request.method !== 'POST') return unknownUrl(`chatgate does not relay ${job.request.method} ${job.request.path} to Codex accounts.`);
  // The runner publishes the usage event itself (exact counts): a relay usage too would count the request twice.
  if (job.usage) return jobFailure('malformed_job', 'A codex relay job must leave its usage to the Codex runner.');
  let body: unknown;
  try {
    body = job.request.body === undefined ? undefined : JSON.parse(Buffer.from(job.request.body, 'base64').toString('utf8'));
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return notAnObject();
  return {
    requestId: job.requestId,
    tenantId: job.tenantId,
    credentialId: job.credentialId,
    userId: job.userId,
    userName: job.userName,
    upstream: job.upstream,
    body: body as Record<string, unknown>,
  };
}

/**
 * The tenant's Codex accounts as a relay target: a chat completions request (or a Responses one, or a
 * compaction) is handed to the Codex runner, which translates it for the Codex backend, leases and rotates accounts, and publishes the
 * usage event; its OpenAI chunks (or one chat.completion) go back as relay frames.
 */
@Injectable()
export class CodexTarget implements RelayTarget {
  readonly name = 'codex' as const;

  constructor(private readonly runner: CodexRunning) {}

  async run(run: RelayRun): Promise<void> {
    const request = codexRequestOf(run.job);
    if (!('body' in request)) return run.send({ t: 'error', ...request });
    const path = run.job.request.path;
    const runner = path === '/responses' ? this.runner.responses : path === '/responses/compact' ? this.runner.compact : this.runner.run;
    if (!runner) return run.send({ t: 'error', ...unknownUrl(`chatgate does not relay ${path} to Codex accounts.`) });
    await runner.call(
      this.runner,
      request,
      {
        head: (status, headers) => run.send({ t: 'head', status, headers }),
        data: (bytes) => {
          for (const frame of dataFrames(bytes)) run.send(frame);
        },
        drained: () => run.drained(),
        end: () => run.send({ t: 'end' }),
        error: (failure) => run.send({ t: 'error', ...failure }),
      },
      run.abort.signal,
    );
  }
}
