import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AUTH_TENANT_PRINCIPALS_CHANGED, DEFAULT_MODEL_ROUTES, type ModelRoute, type ModelRoutesView, type TenantPrincipalsChangedEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { TenantsRepository } from './tenants.repository.js';

/**
 * A tenant's model routing table: which models go to API-key accounts. It rides on every
 * principal of the tenant, so a change tells the gateways to drop the tenant's cached principals.
 */
@Injectable()
export class ModelRoutesService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly uow: UnitOfWork,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** The tenant's own table, or undefined when it has none (principals then carry nothing: the default applies). */
  async routesOf(tenantId: string): Promise<ModelRoute[] | undefined> {
    return (await this.tenants.routesOf(tenantId)) ?? undefined;
  }

  async view(tenantId: string): Promise<ModelRoutesView> {
    const own = await this.routesOf(tenantId);
    return own ? { routes: own, isDefault: false } : { routes: [...DEFAULT_MODEL_ROUTES], isDefault: true };
  }

  /** Sets the table (null: back to the default); the gateways hear of it once the change is committed. */
  async set(tenantId: string, routes: ModelRoute[] | null): Promise<void> {
    await this.tenants.setRoutes(tenantId, routes);
    await this.uow.afterCommit(() => this.announce([tenantId]));
  }

  private async announce(tenantIds: string[]): Promise<void> {
    for (const tenantId of tenantIds) this.nc.publish(AUTH_TENANT_PRINCIPALS_CHANGED, encodeJson({ tenantId } satisfies TenantPrincipalsChangedEvent));
    await this.nc.flush();
  }
}
