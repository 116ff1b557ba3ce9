import { Injectable } from '@nestjs/common';
import { dataFrames, jobFailure, notAnObject, platformPathSchema, requestFailure, unknownUrl, type BusError, type RelayJob } from '@chatgate/contracts';
import type { PlatformRequest } from '../shared/platform/platform-request.js';
import type { PlatformSink } from '../shared/platform/run-platform-request.js';
import type { RelayRun, RelayTarget } from './relay-target.js';

/** What the target needs of PlatformRunner (an interface, so the mapping is tested without a worker). */
export interface PlatformRunning {
  run(request: PlatformRequest, sink: PlatformSink, signal?: AbortSignal): Promise<void>;
}

/** The job as the platform runner takes it, or why it cannot be one (a gateway of another version, a forged job). */
export function platformRequestOf(job: RelayJob): PlatformRequest | BusError {
  const path = platformPathSchema.safeParse(job.request.path);
  if (!path.success) return unknownUrl(`chatgate does not relay ${job.request.path} to the platform API.`);
  // The runner publishes the usage event itself (exact counts): a relay usage too would count the request twice.
  if (job.usage) return jobFailure('malformed_job', 'A platform relay job must leave its usage to the platform runner.');
  if (job.upstream.kind !== 'pool') return requestFailure('platform_unavailable', "Only a tenant credential can use the tenant's API keys; a ChatGPT token cannot.");
  let body: Record<string, unknown> | undefined;
  if (job.request.body !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(job.request.body, 'base64').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return notAnObject();
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
        drained: () => run.drained(),
        end: () => run.send({ t: 'end' }),
        error: (failure) => run.send({ t: 'error', ...failure }),
      },
      run.abort.signal,
    );
  }
}
