import { Injectable } from '@nestjs/common';
import type { AdminActor } from '@chatgate/contracts';
import { TenantsService } from '../tenants/tenants.service.js';

/**
 * The one place an admin actor becomes a tenant. The `ADMIN_PASSWORD` holder acts on the default
 * tenant; tenant-scoped admin keys (the tenants issue) add a case here and nothing else changes.
 */
@Injectable()
export class AdminTenancy {
  constructor(private readonly tenants: TenantsService) {}

  tenantIdOf(actor: AdminActor): string {
    switch (actor.kind) {
      case 'operator':
        return this.tenants.default.id;
    }
  }
}
