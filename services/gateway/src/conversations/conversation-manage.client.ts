import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { CONVERSATION_MANAGE, conversationManageReplySchema, serviceUnavailable, type ConversationAction, type ConversationManageRequest, type Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { CONVERSATION_CLIENT } from '../shared/bus/conversation-client.token.js';

/** Long enough for a lease and one upstream call; hiding all pages through every conversation. */
const TIMEOUT_MS = 20_000;

/** Sends one management call to the conversation service, which holds the records. */
@Injectable()
export class ConversationManageClient {
  constructor(@Inject(CONVERSATION_CLIENT) private readonly conversation: ClientProxy) {}

  async manage(principal: Principal, action: ConversationAction): Promise<{ status: number; body: unknown }> {
    const request: ConversationManageRequest = {
      caller: {
        tenantId: principal.tenantId,
        userId: principal.userId,
        credentialId: principal.credentialId,
        isolatedSession: principal.isolatedSession,
        upstream: principal.upstream,
      },
      action,
    };
    let raw: unknown;
    try {
      raw = await firstValueFrom(this.conversation.send(CONVERSATION_MANAGE, request).pipe(timeout(TIMEOUT_MS)));
    } catch {
      throw ApiError.fromBus(serviceUnavailable('conversation service'));
    }
    const reply = conversationManageReplySchema.parse(raw);
    if (!reply.ok) throw ApiError.fromBus(reply.failure);
    return { status: reply.status, body: reply.body };
  }
}
