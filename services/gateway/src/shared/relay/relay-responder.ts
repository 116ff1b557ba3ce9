import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RELAY_JOBS, type Principal, type RelayFrame, type RelayJob, type UpstreamKind, type UsageKind } from '@chatgate/contracts';
import { GatewayJobs, type DeliveredUsage } from '../jobs/gateway-jobs.js';
import { LimitGate, type ModelUse } from '../limits/limit-gate.js';
import { sendFailure } from '../errors/send-failure.js';

/**
 * Answers an HTTP request with a relay job's frames, for any controller that relays: the head's
 * status and headers, the bytes as they come, the end. An error before the head is an HTTP error
 * in OpenAI's envelope (with `retry-after` when it has one); after it the response is cut short
 * (the client sees an incomplete answer rather than a well-formed wrong one). A client that goes
 * away cancels the upstream request.
 */
@Injectable()
export class RelayResponder {
  constructor(
    private readonly jobs: GatewayJobs,
    private readonly limits: LimitGate,
  ) {}

  /**
   * `payload`: the job as `GatewayJobs.encode` made it, before the limit slot was taken.
   * `counted`: when the job itself carries no usage (a platform or Codex job: its runner publishes the
   * usage event), the model whose limit slot the caller took, what it is counted as and which upstream
   * serves it, so a job no worker ran returns the slot, and one whose worker died is recorded.
   */
  respond(job: RelayJob, payload: Uint8Array, principal: Principal, reply: FastifyReply, counted?: { use: ModelUse; kind: UsageKind | null; upstream: UpstreamKind }): Promise<void> {
    // A web-protocol job names its model (an upstream slug) in its usage.
    const slotUse: ModelUse | undefined = job.usage ? { model: job.usage.model, viaTable: true } : counted?.use;
    const raw = reply.raw;
    let started = false;
    const begin = (status: number, headers: Record<string, string>) => {
      started = true;
      reply.hijack();
      const extra: Record<string, string> = { 'x-request-id': job.requestId };
      // Reverse proxies (nginx) must not buffer an event stream.
      if (headers['content-type']?.includes('text/event-stream')) extra['x-accel-buffering'] = 'no';
      raw.writeHead(status, { ...headers, ...extra });
    };
    const onFrame = (frame: RelayFrame) => {
      switch (frame.t) {
        case 'head':
          if (!started) begin(frame.status, frame.headers);
          return;
        case 'data':
          if (!started) begin(200, {});
          raw.write(frame.bytes);
          return;
        case 'end':
          if (!started) begin(200, {});
          raw.end();
          return;
        case 'error':
          if (started) raw.destroy();
          else sendFailure(reply, frame, job.requestId);
          return;
      }
    };
    // The relayed bytes are not read here: a job whose worker died is recorded with no counts.
    const delivered: DeliveredUsage | null = job.usage
      ? { model: job.usage.model, kind: job.usage.kind }
      : counted?.kind
        ? { model: counted.use.model, kind: counted.kind, upstream: counted.upstream }
        : null;
    return this.jobs.run(RELAY_JOBS, job, payload, onFrame, raw, {
      // A job no worker ran returns no usage event, so the gateway gives the limit slot back.
      neverRan: slotUse ? () => this.limits.release(principal, slotUse, job.requestId) : undefined,
      delivered: delivered ? () => delivered : undefined,
    });
  }
}
