import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SPEECH_JOBS, unhandled, upstreamUnavailableFor, UPSTREAM_NAMES, type Principal, type SpeechFrame } from '@chatgate/contracts';
import { bearerFrom } from '../shared/http/bearer.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { PlatformRelay } from '../shared/platform/platform-relay.js';
import { GatewayJobs } from '../shared/jobs/gateway-jobs.js';
import { workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { LimitGate } from '../shared/limits/limit-gate.js';
import { ApiError } from '../shared/errors/api-error.js';
import { sendFailure } from '../shared/errors/send-failure.js';
import { parseSpeechRequest, toSpeechJob } from './to-speech-job.js';


/**
 * `POST /v1/audio/speech`: OpenAI's text to speech on a ChatGPT account (or relayed to the
 * tenant's API keys when its routing table sends the model there). The audio is written to
 * the client as the voice service forwards it (chunked), so the first bytes arrive long before
 * the clip is complete. Headers go out with the first audio: an error before it keeps its HTTP
 * status; after it the connection is cut, so the client never takes a partial clip for a whole one.
 */
@Controller()
export class SpeechController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly jobs: GatewayJobs,
    private readonly limits: LimitGate,
    private readonly platform: PlatformRelay,
  ) {}

  @Post('v1/audio/speech')
  @HttpCode(200)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const bearer = bearerFrom(req.headers.authorization);
    const model = (req.body as { model?: unknown } | null)?.model;
    // Without a model there is nothing to route: the full check answers the 400.
    if (typeof model !== 'string' || !model) parseSpeechRequest(req.body);
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    // A model the tenant's routing table gives to its API keys goes, unchanged, to the platform's own
    // speech endpoint (which has voices and formats the ChatGPT voice service lacks), so it is routed
    // before the ChatGPT-specific checks.
    const upstream = upstreamFor(principal, model as string, 'speech');
    switch (upstream) {
      case 'platform':
        return this.platform.relay(req, reply, principal, '/audio/speech');
      case 'chatgpt':
        return this.speak(req, reply, principal);
      case 'codex': // not among ENDPOINTS.speech.servedBy yet: routeRequest refuses it before this switch
        throw ApiError.fromBus(upstreamUnavailableFor(model as string, UPSTREAM_NAMES.codex));
      default:
        return unhandled(upstream);
    }
  }

  /** A ChatGPT account speaks: the request as a speech job for a voice service replica. */
  private async speak(req: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
    const body = parseSpeechRequest(req.body);
    const job = toSpeechJob(body, principal, randomUUID());
    const payload = this.jobs.encode(SPEECH_JOBS, job);
    // A budget holds the price of every input character (code points: never fewer than usage counts).
    await this.limits.check(principal, { model: job.model }, job.requestId, 'chatgpt', { characters: [...job.input].length });
    reply.header('x-request-id', job.requestId);
    const raw = reply.raw;
    let started = false;
    let audible = false;
    const onFrame = (frame: SpeechFrame) => {
      switch (frame.t) {
        case 'start':
          started = true;
          reply.hijack();
          raw.writeHead(200, { 'content-type': frame.contentType, 'cache-control': 'no-store', 'x-request-id': job.requestId });
          // The 200 goes out now, not with the first audio: a failure right after the upstream began
          // (before any audio was forwarded) then cuts a started answer, as for any later failure.
          raw.flushHeaders();
          // Small writes go out at once: the point is that the first audio is heard early.
          raw.socket?.setNoDelay(true);
          return;
        case 'audio':
          if (started) raw.write(frame.bytes);
          audible = true;
          return;
        case 'end':
          raw.end();
          return;
        case 'error':
          if (started) cutAfterFlush(raw);
          else sendFailure(reply, frame);
          return;
      }
    };
    return this.jobs.run(SPEECH_JOBS, job, payload, onFrame, raw, {
      // A job no voice service ran returns no usage event, so the gateway gives its limit slot back.
      neverRan: () => this.limits.release(principal, { model: job.model }, job.requestId),
      // Which pieces' audio reached the client whole is the worker's to know: once any audio did, the
      // whole input is counted (a budget errs on the side of too much), else none.
      delivered: () => ({ model: job.model, kind: 'speech', characters: audible ? [...job.input].length : 0 }),
    });
  }
}

/**
 * Ends a clip that broke after its headers: the status and the audio already written still reach
 * the client, then the connection closes without the chunked terminator, so no client takes the
 * partial clip for a whole one. (A plain destroy() could drop queued writes, headers included, and
 * the client would see a connection error instead of a 200 whose body fails.)
 */
function cutAfterFlush(raw: FastifyReply['raw']): void {
  if (!raw.headersSent) raw.flushHeaders();
  const socket = raw.socket;
  if (!socket) return void raw.destroy();
  socket.end(() => socket.destroy());
}
