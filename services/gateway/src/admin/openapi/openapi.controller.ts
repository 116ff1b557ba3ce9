import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../gateway.config.js';
import { apiPrefixOf } from '../../api-prefix.js';
import { AdminGuard } from '../admin.guard.js';
import { buildAdminOpenApi } from './admin-openapi.js';

/** Behind the admin password like the API it describes. */
@Controller('admin/v1')
@UseGuards(AdminGuard)
export class AdminOpenApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.document = buildAdminOpenApi(apiPrefixOf(config));
  }

  @Get('openapi.json')
  openapi() {
    return this.document;
  }
}
