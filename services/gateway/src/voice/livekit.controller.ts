import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestError, type NatsConnection } from '@nats-io/transport-node';
import { LIVEKIT_TOKEN, livekitTokenReplySchema, upstreamTimeout, workerUnavailable, type LivekitRoom, type LivekitTokenRequest } from '@chatgate/contracts';
import { NATS_CONNECTION, requestJson } from '@chatgate/service-kit';
import { bearerFrom } from '../shared/http/bearer.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { ApiError } from '../shared/errors/api-error.js';
import { workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { LimitGate } from '../shared/limits/limit-gate.js';
import { voiceOf } from './to-speech-job.js';

/** The model name user limits and usage use for voice rooms (ChatGPT-Mirror's limits name models; a room is not one). */
export const VOICE_ROOM_MODEL = 'voice';
/** The voice service may try several accounts, each with its own upstream round trip. */
const ROOM_TIMEOUT_MS = 30_000;

/**
 * `GET /api/livekit` (ChatGPT-Mirror's): a LiveKit room `{url, token, e2ee_key}` for voice chat
 * on the caller's account, through VOICE_PROXY_URL when the operator set one. `?voice=` picks the
 * voice (OpenAI or native names; default cove).
 */
@Controller()
export class LivekitController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly limits: LimitGate,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get('api/livekit')
  async room(@Req() req: FastifyRequest, @Query('voice') voice?: string | string[]): Promise<LivekitRoom> {
    const bearer = bearerFrom(req.headers.authorization);
    // `?voice=a&voice=b` arrives as a list: the first one counts.
    const native = voiceOf((Array.isArray(voice) ? voice[0] : voice) ?? 'cove');
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    // A voice room is ChatGPT's own: routing sends it there (the model only names the limit).
    const upstream = upstreamFor(principal, VOICE_ROOM_MODEL, 'voice_room');
    const request: LivekitTokenRequest = {
      requestId: randomUUID(),
      model: VOICE_ROOM_MODEL,
      voice: native,
      upstream: principal.upstream,
      tenantId: principal.tenantId,
      credentialId: principal.credentialId,
      userId: principal.userId,
      userName: principal.userName,
    };
    await this.limits.check(principal, { model: VOICE_ROOM_MODEL }, request.requestId, upstream);
    let reply;
    try {
      reply = await requestJson(this.nc, LIVEKIT_TOKEN, request, livekitTokenReplySchema, ROOM_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof RequestError && err.isNoResponders()) {
        // No voice service took it, so no usage event will return the slot: the gateway does.
        this.limits.release(principal, { model: VOICE_ROOM_MODEL }, request.requestId);
        throw ApiError.fromBus(workerUnavailable({ worker: 'voice service' }));
      }
      throw ApiError.fromBus(upstreamTimeout('The voice service'));
    }
    if (!reply.ok) throw ApiError.fromBus(reply.failure);
    return reply.room;
  }
}
