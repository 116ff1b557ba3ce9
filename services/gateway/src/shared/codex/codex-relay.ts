import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RELAY_JOBS, type CodexRelayPath, type Principal, type RelayJob } from '@chatgate/contracts';
import { GatewayJobs } from '../jobs/gateway-jobs.js';
import { LimitGate } from '../limits/limit-gate.js';
import { platformBodyOf, platformModelOf } from '../platform/platform-body.js';
import { requestSizeOf } from '../platform/platform-relay.js';
import { RelayResponder } from '../relay/relay-responder.js';
import { jsonRelayRequest, relayJobOf } from '../relay/relay-job.js';

/**
 * Sends a client request to the tenant's Codex accounts through the relay (target `codex`, one hop,
 * as for API keys): the body is checked just enough to route it (a JSON object, `model`, `messages`),
 * the limit slot is taken with upstream `codex` (its budget hold priced by the `codex` price list), and
 * the worker translates it for the Codex backend and answers in OpenAI's format. Callers decide that
 * the model routes to Codex (`upstreamFor`).
 */
@Injectable()
export class CodexRelay {
  constructor(
    private readonly limits: LimitGate,
    private readonly responder: RelayResponder,
    private readonly jobs: GatewayJobs,
  ) {}

  async relay(req: FastifyRequest, reply: FastifyReply, principal: Principal, path: CodexRelayPath): Promise<void> {
    const body = platformBodyOf(req.body);
    const model = platformModelOf(path, body);
    const job = codexJob(principal, path, body);
    // Too large for the bus: a 413 before a limit slot is taken.
    const payload = this.jobs.encode(RELAY_JOBS, job);
    await this.limits.check(principal, { model }, job.requestId, 'codex', () => requestSizeOf(path, body));
    // The Codex runner's usage event returns the slot of a failed request; a job no worker ran returns it here.
    return this.responder.respond(job, payload, principal, reply, { use: { model }, kind: 'chat', upstream: 'codex' });
  }
}

/** A relay job for the codex target: no relay usage (the Codex runner publishes the exact one), no caller rewrite. */
export function codexJob(principal: Principal, path: CodexRelayPath, body: Record<string, unknown>): RelayJob {
  return relayJobOf(principal, 'codex', jsonRelayRequest('POST', path, body));
}
