import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { BootstrapTokenEntity } from './bootstrap-token.entity.js';

/** The fingerprints of declared tokens already entered, per tenant. */
@Injectable()
export class BootstrapTokensRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get rows() {
    return this.uow.manager.getRepository(BootstrapTokenEntity);
  }

  async knownIn(slug: string): Promise<Set<string>> {
    const rows = await this.rows
      .createQueryBuilder('b')
      .select('b.fingerprint', 'fingerprint')
      .innerJoin(TenantEntity, 't', 't.id = b.tenant_id')
      .where('t.slug = :slug', { slug })
      .getRawMany<{ fingerprint: string }>();
    return new Set(rows.map((r) => r.fingerprint));
  }

  async remember(tenantId: string, fingerprint: string, accountId: string): Promise<void> {
    await this.rows.upsert({ tenantId, fingerprint, accountId }, ['tenantId', 'fingerprint']);
  }
}
