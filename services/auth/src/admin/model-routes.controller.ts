import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ADMIN_ROUTES_GET, ADMIN_ROUTES_SET, adminRoutesGetRequestSchema, adminRoutesSetRequestSchema } from '@chatgate/contracts';
import { ModelRoutesService } from '../tenants/model-routes.service.js';
import { AdminRunner } from './admin-runner.js';

/** The admin API's bus side for a tenant's model routing table. */
@Controller()
export class ModelRoutesAdminController {
  constructor(
    private readonly routes: ModelRoutesService,
    private readonly runner: AdminRunner,
  ) {}

  @MessagePattern(ADMIN_ROUTES_GET)
  get(@Payload() payload: unknown) {
    return this.runner.run(adminRoutesGetRequestSchema, payload, (tenantId) => this.routes.view(tenantId));
  }

  @MessagePattern(ADMIN_ROUTES_SET)
  set(@Payload() payload: unknown) {
    return this.runner.change({ action: 'routes.set', describe: (req) => ({ details: { routes: req.routes } }) }, adminRoutesSetRequestSchema, payload, async (tenantId, req) => {
      await this.routes.set(tenantId, req.routes);
      return this.routes.view(tenantId);
    });
  }
}
