import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import type { CreateKeyBody, KeyCreated, KeyList, KeyListQuery, KeyView, UpdateKeyBody } from '@chatgate/contracts';
import { AdminFailure } from '../admin/admin-failure.js';
import { UserEntity } from '../users/user.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { CredentialRevocations, keyCredentialId } from './credential-revocations.js';
import { hashSecret, KEY_PREFIXES, newSecret, visiblePrefix } from './key-secret.js';
import { toKeyView } from './key-view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Gateway API keys of users and tenant admin keys: issued once, kept as a hash, revoked everywhere at once. */
@Injectable()
export class KeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(tenantId: string, q: KeyListQuery): Promise<KeyList> {
    const qb = this.keys.createQueryBuilder('k').where('k.tenant_id = :tenantId', { tenantId });
    if (q.kind) qb.andWhere('k.kind = :kind', { kind: q.kind });
    if (q.userId) qb.andWhere('k.user_id::text = :userId', { userId: q.userId });
    if (q.revoked === 'false') qb.andWhere('k.revoked_at IS NULL');
    const [rows, total] = await qb.orderBy('k.created_at', 'DESC').addOrderBy('k.id').skip((q.page - 1) * q.limit).take(q.limit).getManyAndCount();
    return { data: rows.map(toKeyView), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async create(tenantId: string, body: CreateKeyBody): Promise<KeyCreated> {
    return this.keys.manager.transaction(async (m) => {
      let userId: string | null = null;
      if (body.kind === 'user') {
        const ref = body.user ?? '';
        const user = await m.findOneBy(UserEntity, UUID.test(ref) ? { tenantId, id: ref } : { tenantId, name: ref });
        if (!user) throw AdminFailure.of(404, 'user_not_found', 'No such user in this tenant.', 'user');
        userId = user.id;
      }
      const prefix = KEY_PREFIXES[body.kind];
      const secret = newSecret(prefix);
      const row = await m.save(
        ApiKeyEntity,
        m.create(ApiKeyEntity, { tenantId, userId, kind: body.kind, name: body.name, prefix: visiblePrefix(secret, prefix), hash: hashSecret(secret), expiresAt: body.expiresAt ? new Date(body.expiresAt) : null, revokedAt: null, budget: body.budget }),
      );
      return { ...toKeyView(row), key: secret };
    });
  }

  /** Name, expiry or budget of a key; a change that alters its principal evicts it everywhere. */
  async update(tenantId: string, keyId: string, body: UpdateKeyBody): Promise<KeyView> {
    const row = await this.keys.manager.transaction(async (m) => {
      const row = UUID.test(keyId) ? await m.findOne(ApiKeyEntity, { where: { tenantId, id: keyId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!row) throw AdminFailure.of(404, 'key_not_found', 'No such key in this tenant.', 'id');
      if (body.budget && row.kind !== 'user') throw AdminFailure.of(400, 'invalid_request', 'A tenant admin key does not chat, so it has no budget.', 'budget');
      if (body.name !== undefined) row.name = body.name;
      if (body.expiresAt !== undefined) row.expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (body.budget !== undefined) row.budget = body.budget;
      return m.save(ApiKeyEntity, row);
    });
    // The principal carries the expiry and the budget: every replica re-resolves the key.
    if (row.kind === 'user' && (body.expiresAt !== undefined || body.budget !== undefined)) await this.revocations.publish([keyCredentialId(row.id)]);
    return toKeyView(row);
  }

  async revoke(tenantId: string, keyId: string): Promise<KeyView> {
    const row = UUID.test(keyId) ? await this.keys.findOneBy({ tenantId, id: keyId }) : null;
    if (!row) throw AdminFailure.of(404, 'key_not_found', 'No such key in this tenant.', 'id');
    if (!row.revokedAt) {
      // Conditional, so two revocations at once stamp it once.
      await this.keys.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      await this.revocations.publish([keyCredentialId(row.id)]);
    }
    return toKeyView((await this.keys.findOneBy({ id: row.id }))!);
  }

  /** A presented tenant admin key → its tenant, or 401 (unknown, revoked or expired look the same). */
  async verifyAdmin(secret: string, now = Date.now()): Promise<{ tenantId: string; keyId: string }> {
    const row = secret.startsWith(KEY_PREFIXES.tenant_admin) ? await this.keys.findOneBy({ hash: hashSecret(secret), kind: 'tenant_admin', revokedAt: IsNull() }) : null;
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= now)) throw AdminFailure.of(401, 'invalid_admin_key', 'Incorrect admin key.');
    return { tenantId: row.tenantId, keyId: row.id };
  }
}
