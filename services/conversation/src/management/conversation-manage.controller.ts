import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { from, mergeMap, type Observable } from 'rxjs';
import { CONVERSATION_MANAGE, conversationManageRequestSchema, manageReplyParts, type ConversationManageReplyPart } from '@chatgate/contracts';
import { ConversationManager } from './conversation-manager.js';

@Controller()
export class ConversationManageController {
  constructor(private readonly manager: ConversationManager) {}

  /** The reply in parts (`manageReplyParts`): NestJS sends each value of the Observable, in order, on the reply inbox. */
  @MessagePattern(CONVERSATION_MANAGE)
  handle(@Payload() payload: unknown): Observable<ConversationManageReplyPart> {
    const { caller, action } = conversationManageRequestSchema.parse(payload);
    return from(this.manager.handle(caller, action)).pipe(mergeMap((reply) => from(manageReplyParts(reply))));
  }
}
