import { Injectable } from '@nestjs/common';
import type { AdminActor, AuditEntry, AuditList, AuditListQuery } from '@chatgate/contracts';
import { TenantError } from '../tenants/tenant-error.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { AuditEntryEntity } from './audit-entry.entity.js';
import { AuditLogRepository } from './audit-log.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toEntry(row: AuditEntryEntity): AuditEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    tenantId: row.tenantId,
    actor: { kind: row.actorKind, keyId: row.actorKeyId, address: row.actorAddress },
    action: row.action,
    target: row.target,
    details: row.details,
  };
}

/**
 * `GET /admin/v1/audit`: the operator reads every tenant's changes (or one tenant's, by slug or id,
 * also a deleted one's by id); a tenant admin key reads its own tenant's only, and naming another
 * answers 404 as for every other admin route.
 */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly rows: AuditLogRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  async list(actor: AdminActor, q: AuditListQuery): Promise<AuditList> {
    const tenantId = await this.tenantFilter(actor, q.tenant);
    const [rows, total] = await this.rows.page({ ...q, tenantId });
    return { data: rows.map(toEntry), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  private async tenantFilter(actor: AdminActor, ref: string | undefined): Promise<string | null> {
    const named = ref === undefined ? null : UUID.test(ref) ? ref : ((await this.tenants.bySlug(ref))?.id ?? null);
    if (actor.kind === 'tenant_admin') {
      if (ref !== undefined && named !== actor.tenantId) throw new TenantError('tenant_not_found', 'No such tenant.', 'tenant');
      return actor.tenantId;
    }
    if (ref !== undefined && named === null) throw new TenantError('tenant_not_found', 'No such tenant.', 'tenant');
    return named;
  }
}
