import { Controller, Get, Header, Inject, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../shared/config/gateway.config.js';
import { apiPrefixOf } from '../../shared/http/api-prefix.js';
import { AdminGuard } from '../admin.guard.js';
import { buildAdminOpenApi } from './admin-openapi.js';
import { renderDocsPage } from './docs-page.js';

/** Behind the admin password like the API it describes. Both answers are built once: the routes do not change at runtime. */
@Controller('admin/v1')
@UseGuards(AdminGuard)
export class AdminOpenApiController {
  private readonly document: Record<string, unknown>;
  private readonly page: string;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.document = buildAdminOpenApi(apiPrefixOf(config));
    this.page = renderDocsPage(this.document);
  }

  @Get('openapi.json')
  openapi() {
    return this.document;
  }

  /** The same document to read in a browser; the page has no scripts, so nothing beyond its inline style may load. */
  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  docs(): string {
    return this.page;
  }
}
