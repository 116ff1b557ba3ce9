import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@chatgate/service-kit';
import { CHAT_JOBS, ModelTable, requestFailure, type ChatFrame, type ChatJob, type PreviousResponse, type Principal } from '@chatgate/contracts';
import {
  CLIENT_SSE_HEADERS,
  DialectError,
  inputItems,
  responseEndOf,
  responsesRequestToChatMessages,
  ResponsesEventWriter,
  type JsonObject,
  type ResponseItem,
} from '@chatgate/protocol';
import { ApiError } from '../shared/errors/api-error.js';
import { sendFailure } from '../shared/errors/send-failure.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { GATEWAY_LOGGER } from '../shared/config/gateway.logger.js';
import { GatewayJobs } from '../shared/jobs/gateway-jobs.js';
import { LimitGate, type ModelUse } from '../shared/limits/limit-gate.js';
import { countPromptTokens, countReplyTokens } from '../shared/limits/prompt-tokens.js';
import { filesBaseUrl } from '../shared/http/files-base-url.js';
import type { FastifyRequest } from 'fastify';
import { ResponsesStoreClient } from './responses-store.client.js';

/** Request fields that need state or features the ChatGPT backend does not have. */
const REFUSED: Record<string, string> = {
  background: 'Background responses are not available on ChatGPT accounts.',
  conversation: 'The Conversations API is not available on ChatGPT accounts: send previous_response_id, or the history.',
  prompt: 'Stored prompts are not available on ChatGPT accounts: send instructions and input.',
};

/** ChatGPT's reasoning efforts; OpenAI's others are the nearest of them (`none` asks for none, so the model's default). */
function effortOf(effort: string | undefined): ChatJob['reasoningEffort'] {
  if (effort === 'xhigh') return 'high';
  if (effort === 'minimal' || effort === 'low' || effort === 'medium' || effort === 'high') return effort;
  return undefined;
}

/**
 * `POST /v1/responses` on a ChatGPT account: the Responses request becomes a chat job (the protocol's
 * `responsesRequestToChatMessages`: text, images and files; no tools or structured output, refused
 * with a 400 naming the way out), its frames become Responses events (`ResponsesEventWriter`: the
 * order the SDK helpers need, reasoning as a reasoning item) or one Response object. A finished
 * response is stored (unless `store: false`) with its items and the upstream conversation it was made
 * in, before its last event goes out; `previous_response_id` continues that conversation on the
 * account holding it (the chat job's continuation), the whole history going along should that fail.
 */
@Injectable()
export class ResponsesOnChatgpt {
  constructor(
    private readonly jobs: GatewayJobs,
    private readonly limits: LimitGate,
    private readonly models: ModelTable,
    private readonly store: ResponsesStoreClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async create(req: FastifyRequest, reply: FastifyReply, principal: Principal, request: JsonObject & { model: string }): Promise<void> {
    for (const [field, message] of Object.entries(REFUSED)) {
      if (request[field] != null && request[field] !== false) throw ApiError.fromBus(requestFailure('unsupported_parameter', message, { param: field }));
    }
    if (typeof request.top_logprobs === 'number' && request.top_logprobs > 0) throw ApiError.fromBus(requestFailure('unsupported_parameter', 'Log probabilities are not available on ChatGPT accounts.', { param: 'top_logprobs' }));
    const previousId = typeof request.previous_response_id === 'string' ? request.previous_response_id : null;
    const previous: PreviousResponse | null = previousId ? await this.store.previous(principal, previousId) : null;
    const history = previous ? [...previous.input, ...previous.output] : [];
    let translated;
    try {
      translated = responsesRequestToChatMessages(request, history as ResponseItem[]);
    } catch (err) {
      if (err instanceof DialectError) throw ApiError.fromBus(requestFailure(err.code, err.message, { param: err.param }));
      throw err;
    }
    const resolved = this.models.resolve(request.model);
    if (!resolved.ok) throw ApiError.fromBus(resolved.failure);
    const store = request.store !== false;
    // Continued upstream only where the previous turn was made on a ChatGPT account with history on.
    const continued = previous?.upstream === 'chatgpt' && previous.conversationId && previous.messageId ? previous : null;
    const job: ChatJob = {
      requestId: randomUUID(),
      model: request.model,
      resolvedModel: { slug: resolved.slug, gizmoId: resolved.gizmoId },
      messages: translated.messages,
      stream: request.stream === true,
      ...(translated.maxTokens !== undefined ? { maxTokens: translated.maxTokens } : {}),
      ...(effortOf(translated.reasoningEffort) ? { reasoningEffort: effortOf(translated.reasoningEffort) } : {}),
      ...(continued ? { conversationId: continued.conversationId!, parentMessageId: continued.messageId! } : {}),
      // store: false keeps nothing, upstream included (a temporary chat).
      historyDisabled: !store || this.config.API_HATD || this.config.HISTORY_DISABLED,
      upstream: principal.upstream,
      tenantId: principal.tenantId,
      credentialId: principal.credentialId,
      userId: principal.userId,
      userName: principal.userName,
      isolatedSession: principal.isolatedSession,
      filesBaseUrl: filesBaseUrl(this.config, req),
    };
    const payload = this.jobs.encode(CHAT_JOBS, job);
    const use: ModelUse = { model: job.model, resolvedModel: resolved.slug, viaTable: true };
    await this.limits.check(principal, use, job.requestId, 'chatgpt', { messages: job.messages, maxTokens: job.maxTokens });
    reply.header('x-request-id', job.requestId);

    const writer = new ResponsesEventWriter({ model: request.model, request });
    const input = [...history, ...inputItems(request.input as string | ResponseItem[] | undefined)] as Array<Record<string, unknown>>;
    const save = async (frame: Extract<ChatFrame, { t: 'end' }>) => {
      if (!store) return;
      try {
        await this.store.save(principal, {
          id: writer.id,
          upstream: 'chatgpt',
          model: request.model,
          accountId: null,
          response: writer.response() as unknown as Record<string, unknown>,
          input,
          conversationId: frame.conversationId,
          messageId: frame.messageId,
        });
      } catch (err) {
        // The answer stands; a later previous_response_id or GET of it is a 404.
        this.logger.warn({ requestId: job.requestId, responseId: writer.id, err: err instanceof Error ? err.message : String(err) }, 'a response was answered but not stored');
      }
    };
    let answer = '';
    let reasoning = '';
    const raw = reply.raw;
    let started = false;
    const write = (text: string) => {
      if (!text) return;
      if (!started) {
        started = true;
        reply.hijack();
        raw.writeHead(200, { ...CLIENT_SSE_HEADERS, 'x-request-id': job.requestId });
      }
      raw.write(text);
    };
    // Frames are handled in order; the end waits for the record, so the client's next turn finds it.
    let chain = Promise.resolve();
    const onFrame = (frame: ChatFrame) => {
      chain = chain.then(async () => {
        switch (frame.t) {
          case 'delta': {
            if (frame.reasoning) reasoning += frame.reasoning;
            if (frame.content) answer += frame.content;
            const text = writer.reasoning(frame.reasoning ?? '') + writer.text(frame.content ?? '');
            if (job.stream) write(text);
            return;
          }
          case 'end': {
            const text = writer.end(responseEndOf(frame.finishReason, frame.usage));
            await save(frame);
            if (job.stream) {
              write(text);
              raw.end();
            } else void reply.header('content-type', 'application/json').send(writer.response());
            return;
          }
          case 'error':
            if (started) raw.end(writer.fail({ code: frame.error.code ?? 'server_error', message: frame.error.message, type: frame.error.type, param: frame.error.param }));
            else sendFailure(reply, frame);
            return;
        }
      });
    };
    await this.jobs.run(CHAT_JOBS, job, payload, onFrame, raw, {
      neverRan: () => this.limits.release(principal, use, job.requestId),
      delivered: async () => ({ model: job.model, kind: 'chat', promptTokens: await countPromptTokens(job.messages), completionTokens: await countReplyTokens(answer, reasoning) }),
    });
    await chain;
  }
}

