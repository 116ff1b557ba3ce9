import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { from, mergeMap, type Observable } from 'rxjs';
import {
  CONVERSATION_RESPONSES,
  recordsUnavailable,
  requestFailure,
  responseNotFound,
  previousResponseNotFound,
  responsesStoreReplyParts,
  responsesStoreRequestSchema,
  type PreviousResponse,
  type ResponsesStoreReplyPart,
  type ResponsesStoreReply,
  type ResponsesStoreRequest,
} from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { CONVERSATION_LOGGER } from '../conversation.config.js';
import { IncompleteUploadError, ResponseStore } from '../shared/responses/response-store.js';
import { inputItemsPage } from '../shared/responses/stored-answers.js';

/**
 * The stored responses on the bus (CONVERSATION_RESPONSES): what the gateway reads, deletes and saves.
 * A response made on an API key is answered `{upstream: 'platform'}`: the key holds it, and the gateway
 * relays the call to the platform target (which checks the owner again and sends it to that key).
 */
@Controller()
export class ResponsesStoreController {
  constructor(
    private readonly store: ResponseStore,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {}

  /** The reply in parts (`responsesStoreReplyParts`): NestJS sends each value of the Observable, in order, on the reply inbox. */
  @MessagePattern(CONVERSATION_RESPONSES)
  handle(@Payload() payload: unknown): Observable<ResponsesStoreReplyPart> {
    return from(this.reply(payload)).pipe(mergeMap((reply) => from(responsesStoreReplyParts(reply))));
  }

  private async reply(payload: unknown): Promise<ResponsesStoreReply> {
    const request = responsesStoreRequestSchema.parse(payload);
    try {
      return await this.answer(request);
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), op: request.op }, 'stored responses unavailable');
      return { ok: false, failure: recordsUnavailable() };
    }
  }

  private async answer(request: ResponsesStoreRequest): Promise<ResponsesStoreReply> {
    switch (request.op) {
      case 'save':
        await this.store.save(request.owner, request.response);
        return { ok: true, upstream: request.response.upstream, body: null };
      // (Only the gateway's ChatGPT-account responses are saved in parts; it reads nothing from these answers.)
      case 'save_part':
        await this.store.savePart(request.owner, request.id, request.index, request.chunk);
        return { ok: true, upstream: 'chatgpt', body: null };
      case 'save_commit':
        try {
          await this.store.commitParts(request.owner, request.id, request.parts);
        } catch (err) {
          if (err instanceof IncompleteUploadError) return { ok: false, failure: requestFailure('invalid_request', err.message) };
          throw err;
        }
        return { ok: true, upstream: 'chatgpt', body: null };
      case 'previous': {
        const row = await this.store.find(request.owner, request.id);
        if (!row) return { ok: false, failure: previousResponseNotFound(request.id) };
        const output = Array.isArray(row.response?.output) ? (row.response.output as Array<Record<string, unknown>>) : [];
        const body: PreviousResponse = { upstream: row.upstream, accountId: row.accountId, input: row.input ?? [], output, conversationId: row.conversationId, messageId: row.messageId };
        return { ok: true, upstream: row.upstream, body };
      }
      case 'read': {
        const row = await this.store.find(request.owner, request.id);
        if (!row) return { ok: false, failure: responseNotFound(request.id) };
        if (row.upstream === 'platform') return { ok: true, upstream: 'platform' };
        switch (request.view) {
          case 'response':
            return { ok: true, upstream: row.upstream, body: row.response };
          case 'input_items': {
            const page = inputItemsPage(row.input ?? [], request.query);
            return page.ok ? { ok: true, upstream: row.upstream, body: page.body } : page;
          }
          case 'delete':
            await this.store.delete(request.owner, request.id);
            return { ok: true, upstream: row.upstream, body: { id: request.id, object: 'response', deleted: true } };
          case 'cancel':
            return { ok: false, failure: requestFailure('invalid_request', 'Only background responses can be cancelled; this response has already finished.') };
        }
      }
    }
  }
}
