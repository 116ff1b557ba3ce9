import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TenantEntity } from './tenant.entity.js';

export const DEFAULT_TENANT_SLUG = 'default';

@Injectable()
export class TenantsService implements OnModuleInit {
  private defaultTenant?: TenantEntity;

  constructor(@InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>) {}

  async onModuleInit() {
    this.defaultTenant = await this.tenants.findOneByOrFail({ slug: DEFAULT_TENANT_SLUG });
  }

  /** The tenant that raw upstream tokens and pool codes belong to. Loaded once: it never changes id. */
  get default(): TenantEntity {
    if (!this.defaultTenant) throw new Error('tenants not loaded yet');
    return this.defaultTenant;
  }
}
