import { Injectable } from '@nestjs/common';
import { dataFrames, platformPathSchema, type BusError, type RelayJob } from '@chatgate/contracts';
import type { PlatformRequest } from '../shared/platform/platform-request.js';
import type { PlatformSink } from '../shared/platform/run-platform-request.js';
import type { RelayRun, RelayTarget } from './relay-target.js';

/** What the target needs of PlatformRunner (an interface, so the mapping is tested without a worker). */
export interface PlatformRunning {
  run(request: PlatformRequest, sink: PlatformSink, signal?: AbortSignal): Promise<void>;
}

const refused = (status: number, message: string, code: string): BusError => ({ status, error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code } });

/** The job as the platform runner takes it, or why it cannot be one (a gateway of another version, a forged job). */
export function platformRequestOf(job: RelayJob): PlatformRequest | BusError {
  const path = platformPathSchema.safeParse(job.request.path);
  if (!path.success) return refused(404, `chatgate does not relay ${job.request.path} to the platform API.`, 'unknown_url');
  // The runner publishes the usage event itself (exact counts): a relay usage too would count the request twice.
  if (job.usage) return refused(500, 'A platform relay job must leave its usage to the platform runner.', 'malformed_job');
  if (job.upstream.kind !== 'pool') return refused(403, 'Only a tenant credential can use the tenant\'s API keys; a ChatGPT token cannot.', 'platform_unavailable');
  let body: Record<string, unknown> | undefined;
  if (job.request.body !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(job.request.body, 'base64').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return refused(400, 'The request body must be a JSON object.', 'invalid_body');
    body = parsed as Record<string, unknown>;
  }
  return {
    requestId: job.requestId,
    path: path.data,
    body,
    tenantId: job.upstream.tenantId,
    allowedAccountIds: job.upstream.accountIds,
    credentialId: job.credentialId,
    userId: job.userId,
    userName: job.userName,
  };
}

/**
 * The OpenAI platform API (the tenant's API keys) as a relay target: the job is handed to the
 * platform runner, which leases keys, rotates before the first byte, asks for the usage of a
 * stream and strips it again when the client did not, and publishes the usage event. Its answer
 * goes back as relay frames, bytes unchanged.
 */
@Injectable()
export class PlatformTarget implements RelayTarget {
  readonly name = 'platform' as const;

  constructor(private readonly runner: PlatformRunning) {}

  async run(run: RelayRun): Promise<void> {
    const request = platformRequestOf(run.job);
    if (!('path' in request)) return run.send({ t: 'error', ...request });
    await this.runner.run(
      request,
      {
        head: (status, headers) => run.send({ t: 'head', status, headers }),
        data: (bytes) => {
          for (const frame of dataFrames(bytes)) run.send(frame);
        },
        end: () => run.send({ t: 'end' }),
        error: (failure) => run.send({ t: 'error', ...failure }),
      },
      run.abort.signal,
    );
  }
}
