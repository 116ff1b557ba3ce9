import { Injectable } from '@nestjs/common';
import type { AdminActor } from '@chatgate/contracts';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { AdminFailure } from './admin-failure.js';

/**
 * The one place an admin actor becomes a tenant. The `ADMIN_PASSWORD` holder acts on the default
 * tenant, or on the tenant it names by slug; a tenant admin key acts on its own tenant, and naming
 * any other answers 404 exactly as a tenant that does not exist (no existence leak).
 */
@Injectable()
export class AdminTenancy {
  constructor(
    private readonly tenants: TenantsService,
    private readonly rows: TenantsRepository,
  ) {}

  async tenantIdOf(actor: AdminActor): Promise<string> {
    switch (actor.kind) {
      case 'operator': {
        if (!actor.tenant) return this.tenants.default.id;
        const row = await this.rows.bySlug(actor.tenant);
        if (!row) throw AdminFailure.of(404, 'tenant_not_found', 'No such tenant.', 'tenant');
        return row.id;
      }
      case 'tenant_admin': {
        if (!actor.tenant) return actor.tenantId;
        const row = await this.rows.bySlug(actor.tenant);
        if (!row || row.id !== actor.tenantId) throw AdminFailure.of(404, 'tenant_not_found', 'No such tenant.', 'tenant');
        return row.id;
      }
    }
  }
}
