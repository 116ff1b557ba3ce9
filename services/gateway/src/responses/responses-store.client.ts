import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, toArray } from 'rxjs';
import {
  CONVERSATION_RESPONSES,
  joinResponsesStoreReplyParts,
  previousResponseSchema,
  responseSaveRequests,
  serviceUnavailable,
  type PreviousResponse,
  type Principal,
  type ResponseOwner,
  type ResponsesStoreReply,
  type ResponsesStoreRequest,
  type StoredResponse,
} from '@chatgate/contracts';
import { CONVERSATION_CLIENT } from '../shared/bus/conversation-client.token.js';
import { ApiError } from '../shared/errors/api-error.js';

const STORE_TIMEOUT_MS = 10_000;

export const ownerOf = (principal: Principal): ResponseOwner => ({ tenantId: principal.tenantId, userId: principal.userId, credentialId: principal.credentialId });

/** The conversation service's stored responses (CONVERSATION_RESPONSES), each call for the principal's own. */
@Injectable()
export class ResponsesStoreClient {
  constructor(@Inject(CONVERSATION_CLIENT) private readonly conversation: ClientProxy) {}

  /** A stored response read, listed, deleted or cancelled: `{upstream: 'platform'}` when an API key holds it. Failures are ApiErrors. */
  async read(principal: Principal, id: string, view: 'response' | 'input_items' | 'delete' | 'cancel', query: Record<string, string> = {}): Promise<Extract<ResponsesStoreReply, { ok: true }>> {
    return this.ask({ op: 'read', owner: ownerOf(principal), id, view, query });
  }

  /** The chain `previous_response_id` names (404 `previous_response_not_found` when it is not the caller's). */
  async previous(principal: Principal, id: string): Promise<PreviousResponse> {
    const reply = await this.ask({ op: 'previous', owner: ownerOf(principal), id });
    return previousResponseSchema.parse('body' in reply ? reply.body : null);
  }

  /** Saves in one message, or in parts (`responseSaveRequests`) when the response is larger than one message carries. */
  async save(principal: Principal, response: StoredResponse): Promise<void> {
    for (const request of responseSaveRequests(ownerOf(principal), response)) await this.ask(request);
  }

  private async ask(request: ResponsesStoreRequest): Promise<Extract<ResponsesStoreReply, { ok: true }>> {
    let parts: unknown[];
    try {
      // The reply comes in parts (a stored response's items may be more than one NATS message holds).
      parts = await firstValueFrom(this.conversation.send(CONVERSATION_RESPONSES, request).pipe(timeout(STORE_TIMEOUT_MS), toArray()));
    } catch {
      throw ApiError.fromBus(serviceUnavailable('conversation service'));
    }
    const reply = joinResponsesStoreReplyParts(parts);
    if (!reply.ok) throw ApiError.fromBus(reply.failure);
    return reply;
  }
}
