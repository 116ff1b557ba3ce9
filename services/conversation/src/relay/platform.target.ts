import { Injectable } from '@nestjs/common';
import {
  dataFrames,
  jobFailure,
  notAnObject,
  platformPathSchema,
  previousResponseNotFound,
  recordsUnavailable,
  requestFailure,
  responseNotFound,
  storedResponsePathOf,
  unknownUrl,
  type BusError,
  type RelayJob,
  type ResponseOwner,
  type StoredResponse,
} from '@chatgate/contracts';
import type { PlatformRequest } from '../shared/platform/platform-request.js';
import type { PlatformSink } from '../shared/platform/run-platform-request.js';
import type { RelayRun, RelayTarget } from './relay-target.js';

/** What the target needs of PlatformRunner (an interface, so the mapping is tested without a worker). */
export interface PlatformRunning {
  run(request: PlatformRequest, sink: PlatformSink, signal?: AbortSignal): Promise<void>;
}

/** The job as the platform runner takes it, or why it cannot be one (a gateway of another version, a forged job). */
export function platformRequestOf(job: RelayJob): PlatformRequest | BusError {
  const fixed = platformPathSchema.safeParse(job.request.path);
  const stored = fixed.success ? null : storedResponsePathOf(job.request.method, job.request.path);
  if (!fixed.success && !stored) return unknownUrl(`chatgate does not relay ${job.request.method} ${job.request.path} to the platform API.`);
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
    ...(fixed.success ? { path: fixed.data } : { path: job.request.path as `/responses/${string}`, method: stored!.method, ...(job.request.query ? { query: job.request.query } : {}) }),
    body,
    tenantId: job.upstream.tenantId,
    allowedAccountIds: job.upstream.accountIds,
    credentialId: job.credentialId,
    userId: job.userId,
    userName: job.userName,
  };
}

/** What the target needs of the stored responses (ResponseStore): which key holds a response, and whose it is. */
export interface PlatformResponseRecords {
  find(owner: ResponseOwner, id: string): Promise<{ upstream: string; accountId: string | null } | null>;
  save(owner: ResponseOwner, stored: StoredResponse): Promise<void>;
  delete(owner: ResponseOwner, id: string): Promise<boolean>;
}

/** Paths whose body may name a `previous_response_id` the key that holds it must answer. */
const CONTINUING = new Set(['/responses', '/responses/compact', '/responses/input_tokens']);

/**
 * The OpenAI platform API (the tenant's API keys) as a relay target: the job is handed to the
 * platform runner, which leases keys, rotates before the first byte, asks for the usage of a
 * stream and strips it again when the client did not, and publishes the usage event. Its answer
 * goes back as relay frames, bytes unchanged.
 *
 * Responses live on the key that made them, so with the stored responses (`records`) the target
 * keeps which key that was and whose the response is: a new response (unless `store: false`) is
 * recorded before the answer ends; a call on a stored response (`/responses/{id}`…) or a request
 * continuing one (`previous_response_id`) goes to that key alone, and only for its owner: another
 * user's or tenant's id is a 404 that never reaches a key.
 */
@Injectable()
export class PlatformTarget implements RelayTarget {
  readonly name = 'platform' as const;

  constructor(
    private readonly runner: PlatformRunning,
    private readonly records?: PlatformResponseRecords,
  ) {}

  async run(run: RelayRun): Promise<void> {
    const request = platformRequestOf(run.job);
    if (!('path' in request)) return run.send({ t: 'error', ...request });
    const owner: ResponseOwner = { tenantId: run.job.tenantId, userId: run.job.userId, credentialId: run.job.credentialId };
    const pinned = await this.pin(request, owner);
    if (pinned && 'failure' in pinned) return run.send({ t: 'error', ...pinned.failure });
    if (pinned) request.allowedAccountIds = [pinned.accountId];
    let status = 0;
    await this.runner.run(
      request,
      {
        head: (s, headers) => {
          status = s;
          run.send({ t: 'head', status: s, headers });
        },
        data: (bytes) => {
          for (const frame of dataFrames(bytes)) run.send(frame);
        },
        drained: () => run.drained(),
        end: async (usage, accountId) => {
          if (status >= 200 && status < 300 && accountId) await this.remember(request, owner, usage?.responseId, accountId);
          run.send({ t: 'end' });
        },
        error: (failure) => run.send({ t: 'error', ...failure }),
      },
      run.abort.signal,
    );
  }

  /** The key a stored response (or the one a request continues) is on, a 404 for anyone but its owner, or null: any key. */
  private async pin(request: PlatformRequest, owner: ResponseOwner): Promise<{ accountId: string } | { failure: BusError } | null> {
    if (!this.records) return null;
    const previous = CONTINUING.has(request.path) ? request.body?.previous_response_id : undefined;
    const id = request.method ? request.path.split('/')[2] : typeof previous === 'string' ? previous : null;
    if (id === null) return null;
    const notFound = request.method ? responseNotFound(id) : previousResponseNotFound(id);
    try {
      const record = await this.records.find(owner, id);
      if (!record || record.upstream !== 'platform' || !record.accountId) return { failure: notFound };
      return { accountId: record.accountId };
    } catch {
      return { failure: recordsUnavailable() };
    }
  }

  /** After a successful answer: a new stored response is recorded on its key; a deleted one is forgotten. */
  private async remember(request: PlatformRequest, owner: ResponseOwner, responseId: string | undefined, accountId: string): Promise<void> {
    if (!this.records) return;
    try {
      if (request.path === '/responses' && responseId && request.body?.store !== false) {
        const model = typeof request.body?.model === 'string' ? request.body.model : '';
        await this.records.save(owner, { id: responseId, upstream: 'platform', model, accountId, response: null, input: null, conversationId: null, messageId: null });
      } else if (request.method === 'DELETE') {
        await this.records.delete(owner, request.path.split('/')[2]);
      }
    } catch {
      // The answer stands; only later calls on this response will not find it.
    }
  }
}
