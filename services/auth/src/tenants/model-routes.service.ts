import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EntityManager, Repository } from 'typeorm';
import { AUTH_TENANT_PRINCIPALS_CHANGED, DEFAULT_MODEL_ROUTES, type ModelRoute, type ModelRoutesView, type TenantPrincipalsChangedEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { TenantEntity } from './tenant.entity.js';

/**
 * A tenant's model routing table: which models go to API-key accounts. It rides on every
 * principal of the tenant, so a change tells the gateways to drop the tenant's cached principals.
 */
@Injectable()
export class ModelRoutesService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** The tenant's own table, or undefined when it has none (principals then carry nothing: the default applies). */
  async routesOf(tenantId: string): Promise<ModelRoute[] | undefined> {
    const rows: Array<{ model_routes: ModelRoute[] | null }> = await this.tenants.query(`SELECT model_routes FROM "auth"."tenants" WHERE id = $1`, [tenantId]);
    return rows[0]?.model_routes ?? undefined;
  }

  async view(tenantId: string): Promise<ModelRoutesView> {
    const own = await this.routesOf(tenantId);
    return own ? { routes: own, isDefault: false } : { routes: [...DEFAULT_MODEL_ROUTES], isDefault: true };
  }

  /** Sets the table (null: back to the default); inside the caller's transaction when given one, announced by the caller then. */
  async set(tenantId: string, routes: ModelRoute[] | null, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(TenantEntity) : this.tenants;
    // jsonb through the driver: an array parameter would otherwise become a Postgres array.
    await repo.query(`UPDATE "auth"."tenants" SET model_routes = $2::jsonb WHERE id = $1`, [tenantId, routes === null ? null : JSON.stringify(routes)]);
    if (!manager) await this.announce([tenantId]);
  }

  async announce(tenantIds: string[]): Promise<void> {
    for (const tenantId of tenantIds) this.nc.publish(AUTH_TENANT_PRINCIPALS_CHANGED, encodeJson({ tenantId } satisfies TenantPrincipalsChangedEvent));
    await this.nc.flush();
  }
}
