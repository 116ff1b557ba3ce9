import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CONVERSATION_LIST_MODELS, listModelsRequestSchema, type ListModelsReply } from '@chatgate/contracts';
import { UpstreamModelsService } from './upstream-models.service.js';

@Controller()
export class ModelsController {
  constructor(private readonly models: UpstreamModelsService) {}

  @MessagePattern(CONVERSATION_LIST_MODELS)
  async list(@Payload() payload: unknown): Promise<ListModelsReply> {
    return { models: await this.models.list(listModelsRequestSchema.parse(payload)) };
  }
}
