import { Injectable } from '@nestjs/common';
import type { AdminActor, TenantList, TenantView } from '@chatgate/contracts';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { ApiKeysRepository } from '../keys/api-keys.repository.js';
import { CredentialRevocations, keyCredentialId, mirrorCredentialId } from '../keys/credential-revocations.js';
import { MirrorTokensRepository } from '../keys/mirror-tokens.repository.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { UsersRepository } from '../users/users.repository.js';
import type { TenantEntity } from './tenant.entity.js';
import { TenantError } from './tenant-error.js';
import { TenantsRepository } from './tenants.repository.js';
import { DEFAULT_TENANT_SLUG } from './tenants.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const view = (t: TenantEntity): TenantView => ({ id: t.id, slug: t.slug, name: t.name, createdAt: t.createdAt.toISOString() });
const notFound = () => new TenantError('tenant_not_found', 'No such tenant.', 'id');
const operatorOnly = () => new TenantError('operator_only', 'Only the operator (ADMIN_PASSWORD) may create, rename or delete tenants.');

/**
 * Tenants as the admin API sees them. The operator sees all; a tenant admin sees its own tenant
 * only, and any other is "not found" (never "forbidden": that would confirm it exists).
 */
@Injectable()
export class TenantsAdminService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly users: UsersRepository,
    private readonly keys: ApiKeysRepository,
    private readonly mirrorTokens: MirrorTokensRepository,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly uow: UnitOfWork,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(actor: AdminActor, q: { page: number; limit: number }): Promise<TenantList> {
    const [rows, total] = await this.tenants.page(actor.kind === 'tenant_admin' ? actor.tenantId : null, (q.page - 1) * q.limit, q.limit);
    return { data: rows.map(view), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async get(actor: AdminActor, id: string): Promise<TenantView> {
    return view(await this.visible(actor, id));
  }

  async create(actor: AdminActor, body: { slug: string; name: string }): Promise<TenantView> {
    if (actor.kind !== 'operator') throw operatorOnly();
    if (await this.tenants.existsWithSlug(body.slug)) throw new TenantError('tenant_exists', `A tenant with slug '${body.slug}' already exists.`, 'slug');
    return view(await this.tenants.insert(body.slug, body.name));
  }

  async rename(actor: AdminActor, id: string, name: string): Promise<TenantView> {
    const row = await this.visible(actor, id);
    if (actor.kind !== 'operator') throw operatorOnly();
    await this.tenants.rename(row.id, name);
    return view({ ...row, name });
  }

  /**
   * Refused while the tenant has users, keys or accounts, unless `cascade` (then everything of it
   * goes in one transaction, and its credentials are evicted from every gateway). The default
   * tenant is never deleted: pool codes and raw tokens belong to it.
   */
  async delete(actor: AdminActor, id: string, cascade: boolean): Promise<{ id: string; deleted: true }> {
    const row = await this.visible(actor, id);
    if (actor.kind !== 'operator') throw operatorOnly();
    if (row.slug === DEFAULT_TENANT_SLUG) throw new TenantError('default_tenant', 'The default tenant cannot be deleted.', 'id');
    await this.uow.run(async () => {
      const [users, keys, accounts] = await Promise.all([this.users.countOf(row.id), this.keys.countOf(row.id), this.accounts.countOf(row.id)]);
      if (!cascade && users + keys + accounts > 0) {
        throw new TenantError('tenant_not_empty', `The tenant has ${users} users, ${keys} keys and ${accounts} accounts; delete with cascade=true to remove them too.`, 'cascade');
      }
      const revoked = [...(await this.keys.liveIdsOfTenant(row.id)).map(keyCredentialId), ...(await this.mirrorTokens.liveIdsOfTenant(row.id)).map(mirrorCredentialId)];
      await this.tenants.delete(row.id);
      await this.revocations.publish(revoked);
    });
    return { id: row.id, deleted: true };
  }

  private async visible(actor: AdminActor, id: string): Promise<TenantEntity> {
    if (actor.kind === 'tenant_admin' && actor.tenantId !== id) throw notFound();
    const row = UUID.test(id) ? await this.tenants.byId(id) : null;
    if (!row) throw notFound();
    return row;
  }
}
