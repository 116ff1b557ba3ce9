import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CONVERSATION_LIST_MODELS, listModelsRequestSchema, type ListModelsReply } from '@chatgate/contracts';
import { ModelTable } from './model-table.js';

@Controller()
export class ModelsController {
  constructor(private readonly table: ModelTable) {}

  @MessagePattern(CONVERSATION_LIST_MODELS)
  list(@Payload() payload: unknown): ListModelsReply {
    listModelsRequestSchema.parse(payload);
    return { models: this.table.listed().map((m) => ({ ...m, ownedBy: 'chatgpt' })) };
  }
}
