import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Principal, RelayJob } from '@chatgate/contracts';
import { LimitGate } from '../usage/limit-gate.js';
import { NOT_DISPATCHED, RelayBusClient } from './relay-bus.client.js';

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
    private readonly bus: RelayBusClient,
    private readonly limits: LimitGate,
  ) {}

  /**
   * `limitModel`: the model whose limit slot the caller took when the job itself carries no usage
   * (a platform job: its runner publishes the usage event), so a job no worker took returns it.
   */
  respond(job: RelayJob, principal: Principal, reply: FastifyReply, limitModel?: string): Promise<void> {
    const slotModel = job.usage?.model ?? limitModel;
    const raw = reply.raw;
    let started = false;
    let settled = false;
    return new Promise<void>((resolve) => {
      const settle = () => {
        settled = true;
        resolve();
      };
      const begin = (status: number, headers: Record<string, string>) => {
        started = true;
        reply.hijack();
        const extra: Record<string, string> = { 'x-request-id': job.requestId };
        // Reverse proxies (nginx) must not buffer an event stream.
        if (headers['content-type']?.includes('text/event-stream')) extra['x-accel-buffering'] = 'no';
        raw.writeHead(status, { ...headers, ...extra });
      };
      const handle = this.bus.open(job, (frame) => {
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
            return settle();
          case 'error':
            // No worker took the job, so no usage event will return the limit slot: the gateway does. A
            // worker without the job's target publishes one only for a job carrying its usage.
            if (slotModel && (NOT_DISPATCHED.has(frame.error.code ?? '') || (!job.usage && frame.error.code === 'relay_target_unavailable'))) this.limits.release(principal, slotModel, job.requestId);
            if (started) raw.destroy();
            else {
              if (frame.retryAfterSec !== undefined) void reply.header('retry-after', String(frame.retryAfterSec));
              void reply.status(frame.status).header('content-type', 'application/json').header('x-request-id', job.requestId).send({ error: frame.error });
            }
            return settle();
        }
      });
      raw.once('close', () => {
        if (settled) return;
        handle.cancel();
        settle();
      });
    });
  }
}
