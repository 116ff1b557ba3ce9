import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PLATFORM_USAGE_KIND, RELAY_JOBS, chatMessageSchema, imageOrderOf, type ChatMessage, type PlatformRelayPath, type Principal, type RelayJob } from '@chatgate/contracts';
import { RelayResponder } from '../relay/relay-responder.js';
import { jsonRelayRequest, relayJobOf } from '../relay/relay-job.js';
import { GatewayJobs } from '../jobs/gateway-jobs.js';
import { LimitGate, type RequestSize } from '../limits/limit-gate.js';
import { platformBodyOf, platformModelOf } from './platform-body.js';

/**
 * Sends a client request to the tenant's API keys (the OpenAI platform API) through the relay and
 * answers it with the upstream's bytes: the one place a gateway route hands a request to the
 * platform. Callers decide that the model routes to the platform (`upstreamFor`); this checks the
 * body just enough to route it, takes the limit slot, and relays. The body goes up as the client
 * sent it (re-serialised from the parsed JSON), the worker only swapping in a key's credential.
 */
@Injectable()
export class PlatformRelay {
  constructor(
    private readonly limits: LimitGate,
    private readonly responder: RelayResponder,
    private readonly jobs: GatewayJobs,
  ) {}

  /**
   * `POST` the request's JSON body to `path` on a key's base URL and answer `reply` with what comes
   * back (streamed when the upstream streams). Rejects with an ApiError before anything is sent.
   */
  async relay(req: FastifyRequest, reply: FastifyReply, principal: Principal, path: PlatformRelayPath): Promise<void> {
    const body = platformBodyOf(req.body);
    const model = platformModelOf(path, body);
    const job = platformJob(principal, 'POST', path, body);
    // Too large for the bus: a 413 before a limit slot is taken.
    const payload = this.jobs.encode(RELAY_JOBS, job);
    // Before the upstream: a refused request gets 429 here and never reaches a worker.
    await this.limits.check(principal, { model }, job.requestId, 'platform', () => requestSizeOf(path, body));
    // The runner's usage event returns the slot of a failed request; a job no worker ran returns it here.
    return this.responder.respond(job, payload, principal, reply, { use: { model }, kind: PLATFORM_USAGE_KIND[path], upstream: 'platform' });
  }

  /**
   * A call on a stored response (`GET`/`DELETE /responses/{id}`, `POST …/cancel`, `GET …/input_items`)
   * relayed to the key holding it: no model, no limit slot, nothing counted. The worker checks the
   * caller owns the response and sends it to that key alone.
   */
  relayStored(reply: FastifyReply, principal: Principal, method: 'GET' | 'POST' | 'DELETE', path: string, query: string): Promise<void> {
    const job = relayJobOf(principal, 'platform', { method, path, query, headers: {} });
    const payload = this.jobs.encode(RELAY_JOBS, job);
    return this.responder.respond(job, payload, principal, reply);
  }
}

/** A relay job for the platform target: no relay usage (the platform runner publishes the exact one), no caller rewrite. */
export function platformJob(principal: Principal, method: 'GET' | 'POST', path: PlatformRelayPath, body?: Record<string, unknown>): RelayJob {
  return relayJobOf(principal, 'platform', jsonRelayRequest(method, path, body));
}

/**
 * What a budget holds for a platform request, from the body as the client sent it: a speech
 * input's characters; an image request's `n` images at the size and quality asked; a chat's text
 * messages and its `max_tokens`. Anything it cannot read (other endpoints, unusual message
 * shapes) holds the default reply allowance only.
 */
export function requestSizeOf(path: PlatformRelayPath, body: Record<string, unknown>): RequestSize | undefined {
  if (path === '/audio/speech') return typeof body.input === 'string' ? { characters: [...body.input].length } : undefined;
  if (path === '/images/generations') return { images: imageOrderOf(body) };
  if (path !== '/chat/completions') return undefined;
  const maxTokens = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return { messages: textMessagesOf(body.messages), maxTokens };
}

/** Messages of the shape the budget estimate reads, or undefined; one look per message, stopping at the first it cannot read. */
function textMessagesOf(messages: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(messages) || messages.length > 4096) return undefined;
  const out: ChatMessage[] = [];
  for (const message of messages) {
    const content = (message as { content?: unknown } | null)?.content;
    if (Array.isArray(content) && content.length > 1024) return undefined;
    const parsed = chatMessageSchema.safeParse(message);
    if (!parsed.success) return undefined;
    out.push(parsed.data);
  }
  return out;
}
