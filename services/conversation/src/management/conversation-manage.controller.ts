import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CONVERSATION_MANAGE, conversationManageRequestSchema, type ConversationManageReply } from '@chatgate/contracts';
import { ConversationManager } from './conversation-manager.js';

@Controller()
export class ConversationManageController {
  constructor(private readonly manager: ConversationManager) {}

  @MessagePattern(CONVERSATION_MANAGE)
  handle(@Payload() payload: unknown): Promise<ConversationManageReply> {
    const { caller, action } = conversationManageRequestSchema.parse(payload);
    return this.manager.handle(caller, action);
  }
}
