import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CHAT_JOBS, ModelTable, unhandled, type ChatFrame, type ChatJob, type Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { sendFailure } from '../shared/errors/send-failure.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { platformBodyOf } from '../shared/platform/platform-body.js';
import { PlatformRelay } from '../shared/platform/platform-relay.js';
import { CodexRelay } from '../shared/codex/codex-relay.js';
import { GatewayJobs } from '../shared/jobs/gateway-jobs.js';
import { workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { LimitGate, type ModelUse } from '../shared/limits/limit-gate.js';
import { newCompletionId } from './completion-id.js';
import { CLIENT_SSE_HEADERS, ChunkEncoder, completionObject, toOpenAIUsage, type CompletionIdentity, type ConversationIds } from '@chatgate/protocol';
import { parseChatRequest, toChatJob } from './to-chat-job.js';
import { filesBaseUrl } from '../shared/http/files-base-url.js';
import { DeliveredReply } from './delivered-reply.js';

@Controller()
export class ChatCompletionsController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly jobs: GatewayJobs,
    private readonly limits: LimitGate,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly platform: PlatformRelay,
    private readonly codex: CodexRelay,
    private readonly models: ModelTable,
  ) {}

  @Post('v1/chat/completions')
  @HttpCode(200)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const bearer = bearerFrom(req.headers.authorization);
    const model = platformBodyOf(req.body).model;
    // Without a model name there is nothing to route: the schema's 400 names what is missing.
    if (typeof model !== 'string' || !model) parseChatRequest(req.body);
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    // Routed from the cached principal (no hop), before the ChatGPT checks: the platform API and the
    // Codex runner take `tools`, `n`, `response_format`… and judge the body themselves.
    const upstream = upstreamFor(principal, model as string, 'chat');
    switch (upstream) {
      case 'platform':
        return this.platform.relay(req, reply, principal, '/chat/completions');
      case 'chatgpt':
        return this.onChatgpt(req, reply, principal);
      case 'codex':
        return this.codex.relay(req, reply, principal, '/chat/completions');
      default:
        return unhandled(upstream);
    }
  }

  /** A ChatGPT account answers: the request as a chat job for a conversation worker. */
  private async onChatgpt(req: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
    const body = parseChatRequest(req.body);
    // The model the request reaches: what its limits, allow-lists and budget count, and what the worker sends.
    const resolved = this.models.resolve(body.model);
    if (!resolved.ok) throw ApiError.fromBus(resolved.failure);
    const job = toChatJob(body, principal, randomUUID(), {
      historyDisabled: this.config.API_HATD || this.config.HISTORY_DISABLED,
    });
    job.resolvedModel = { slug: resolved.slug, gizmoId: resolved.gizmoId };
    job.filesBaseUrl = filesBaseUrl(this.config, req);
    // Too large for the bus: a 413 before a limit slot is taken.
    const payload = this.jobs.encode(CHAT_JOBS, job);
    const use: ModelUse = { model: job.model, resolvedModel: resolved.slug, viaTable: true };
    // Before the upstream: a refused request gets 429 here and never reaches a worker.
    await this.limits.check(principal, use, job.requestId, 'chatgpt', { messages: job.messages, maxTokens: job.maxTokens });
    const identity: CompletionIdentity = { id: newCompletionId(), created: Math.floor(Date.now() / 1000), model: body.model };
    reply.header('x-request-id', job.requestId);
    // What reached the client: a non-streamed reply reaches it only whole, at the end.
    const delivered = new DeliveredReply();
    const onFrame = job.stream ? this.streamer(job, identity, body.stream_options?.include_usage === true, reply, delivered) : this.collector(job, identity, reply);
    return this.jobs.run(CHAT_JOBS, job, payload, onFrame, reply.raw, {
      // A job no worker ran returns no usage event, so the gateway gives its limit slot back.
      neverRan: () => this.limits.release(principal, use, job.requestId),
      delivered: () => delivered.usage(job),
    });
  }

  /**
   * Streams chunks as the worker produces them. Headers go out with the first frame, so an error
   * before any text still gets its proper HTTP status; after that an error is an SSE error event.
   */
  private streamer(job: ChatJob, identity: CompletionIdentity, includeUsage: boolean, reply: FastifyReply, delivered: DeliveredReply): (frame: ChatFrame) => void {
    const raw = reply.raw;
    const encoder = new ChunkEncoder(identity, includeUsage);
    // Temporary chat cannot be continued, so its chunks carry no ids.
    const ids: ConversationIds | null = job.historyDisabled ? null : { conversationId: null, messageId: null };
    const noteIds = (frame: { conversationId?: string | null; messageId?: string | null }) => {
      if (!ids || (frame.conversationId === undefined && frame.messageId === undefined)) return;
      if (frame.conversationId !== undefined) ids.conversationId = frame.conversationId;
      if (frame.messageId !== undefined) ids.messageId = frame.messageId;
      encoder.setIds(ids);
    };
    let started = false;
    const begin = () => {
      if (started) return;
      started = true;
      reply.hijack();
      raw.writeHead(200, { ...CLIENT_SSE_HEADERS, 'x-request-id': job.requestId });
      raw.write(encoder.role());
    };
    return (frame) => {
      switch (frame.t) {
        case 'delta':
          noteIds(frame);
          begin();
          raw.write(encoder.delta(frame.content, frame.reasoning));
          delivered.add(frame.content, frame.reasoning);
          return;
        case 'end':
          noteIds(frame);
          begin();
          raw.write(encoder.finish(frame.finishReason));
          if (includeUsage) raw.write(encoder.usage(toOpenAIUsage(frame.usage)));
          raw.end(ChunkEncoder.DONE);
          return;
        case 'error':
          if (started) raw.end(ChunkEncoder.error(frame.error) + ChunkEncoder.DONE);
          else sendFailure(reply, frame);
          return;
      }
    };
  }

  /** Not streamed: gather the whole reply, answer one `chat.completion`. */
  private collector(job: ChatJob, identity: CompletionIdentity, reply: FastifyReply): (frame: ChatFrame) => void {
    let content = '';
    let reasoning = '';
    return (frame) => {
      if (frame.t === 'delta') {
        if (frame.content) content += frame.content;
        if (frame.reasoning) reasoning += frame.reasoning;
      } else if (frame.t === 'end') {
        const ids = job.historyDisabled ? undefined : { conversationId: frame.conversationId, messageId: frame.messageId };
        void reply.send(completionObject(identity, content, reasoning, frame.finishReason, toOpenAIUsage(frame.usage), ids));
      } else if (frame.t === 'error') {
        sendFailure(reply, frame);
      }
    };
  }
}

