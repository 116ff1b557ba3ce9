import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AdminActor, TenantList, TenantView } from '@chatgate/contracts';
import { AdminFailure } from '../admin/admin-failure.js';
import { CredentialRevocations, keyCredentialId, mirrorCredentialId } from '../keys/credential-revocations.js';
import { TenantEntity } from './tenant.entity.js';
import { DEFAULT_TENANT_SLUG } from './tenants.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const view = (t: TenantEntity): TenantView => ({ id: t.id, slug: t.slug, name: t.name, createdAt: t.createdAt.toISOString() });
const notFound = () => AdminFailure.of(404, 'tenant_not_found', 'No such tenant.', 'id');
const operatorOnly = () => AdminFailure.of(403, 'operator_only', 'Only the operator (ADMIN_PASSWORD) may create, rename or delete tenants.');

/**
 * Tenants as the admin API sees them. The operator sees all; a tenant admin sees its own tenant
 * only, and any other is "not found" (never "forbidden": that would confirm it exists).
 */
@Injectable()
export class TenantsAdminService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(actor: AdminActor, q: { page: number; limit: number }): Promise<TenantList> {
    const where = actor.kind === 'tenant_admin' ? { id: actor.tenantId } : {};
    const [rows, total] = await this.tenants.findAndCount({ where, order: { createdAt: 'ASC', id: 'ASC' }, skip: (q.page - 1) * q.limit, take: q.limit });
    return { data: rows.map(view), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async get(actor: AdminActor, id: string): Promise<TenantView> {
    return view(await this.visible(actor, id));
  }

  async create(actor: AdminActor, body: { slug: string; name: string }): Promise<TenantView> {
    if (actor.kind !== 'operator') throw operatorOnly();
    if (await this.tenants.existsBy({ slug: body.slug })) throw AdminFailure.of(409, 'tenant_exists', `A tenant with slug '${body.slug}' already exists.`, 'slug');
    return view(await this.tenants.save(this.tenants.create({ slug: body.slug, name: body.name })));
  }

  async rename(actor: AdminActor, id: string, name: string): Promise<TenantView> {
    const row = await this.visible(actor, id);
    if (actor.kind !== 'operator') throw operatorOnly();
    row.name = name;
    return view(await this.tenants.save(row));
  }

  /**
   * Refused while the tenant has users, keys or accounts, unless `cascade` (then everything of it
   * goes in one transaction, and its credentials are evicted from every gateway). The default
   * tenant is never deleted: pool codes and raw tokens belong to it.
   */
  async delete(actor: AdminActor, id: string, cascade: boolean): Promise<{ id: string; deleted: true }> {
    const row = await this.visible(actor, id);
    if (actor.kind !== 'operator') throw operatorOnly();
    if (row.slug === DEFAULT_TENANT_SLUG) throw AdminFailure.of(409, 'default_tenant', 'The default tenant cannot be deleted.', 'id');
    const revoked = await this.tenants.manager.transaction(async (m) => {
      const [counts] = (await m.query(
        `SELECT (SELECT count(*) FROM "auth"."users" WHERE tenant_id = $1)::int AS users,
                (SELECT count(*) FROM "auth"."api_keys" WHERE tenant_id = $1)::int AS keys,
                (SELECT count(*) FROM "auth"."upstream_accounts" WHERE tenant_id = $1)::int AS accounts`,
        [row.id],
      )) as Array<{ users: number; keys: number; accounts: number }>;
      if (!cascade && counts.users + counts.keys + counts.accounts > 0) {
        throw AdminFailure.of(409, 'tenant_not_empty', `The tenant has ${counts.users} users, ${counts.keys} keys and ${counts.accounts} accounts; delete with cascade=true to remove them too.`, 'cascade');
      }
      const keys: Array<{ id: string }> = await m.query(`SELECT id FROM "auth"."api_keys" WHERE tenant_id = $1 AND revoked_at IS NULL`, [row.id]);
      const tokens: Array<{ id: string }> = await m.query(`SELECT id FROM "auth"."mirror_tokens" WHERE tenant_id = $1 AND revoked_at IS NULL`, [row.id]);
      await m.delete(TenantEntity, { id: row.id });
      return [...keys.map((k) => keyCredentialId(k.id)), ...tokens.map((t) => mirrorCredentialId(t.id))];
    });
    await this.revocations.publish(revoked);
    return { id: row.id, deleted: true };
  }

  private async visible(actor: AdminActor, id: string): Promise<TenantEntity> {
    if (actor.kind === 'tenant_admin' && actor.tenantId !== id) throw notFound();
    const row = UUID.test(id) ? await this.tenants.findOneBy({ id }) : null;
    if (!row) throw notFound();
    return row;
  }
}
