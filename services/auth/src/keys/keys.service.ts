import { Injectable } from '@nestjs/common';
import type { AdminActor, CreateKeyBody, KeyCreated, KeyList, KeyListQuery, KeyView, UpdateKeyBody } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import type { Outcome } from '../tenants/tenants.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { CredentialRevocations, keyCredentialId } from './credential-revocations.js';
import { KeyError } from './key-error.js';
import { hashSecret, KEY_PREFIXES, newSecret, visiblePrefix } from './key-secret.js';
import { toKeyView } from './key-view.js';

/** A user key as a declaration gives it (the bootstrap file): its hash, and fields that, when given, are set. */
export interface DeclaredKey {
  hash: string;
  /** Shown in listings: the prefix and a few characters of a plain key, else the prefix alone. */
  prefix: string;
  name?: string;
  expiresAt?: Date | null;
}

const timeOf = (d: Date | null) => d?.getTime() ?? null;
const notFound = () => new KeyError('key_not_found', 'No such key in this tenant.', 'id');
const adminKeysAreOperators = () => new KeyError('operator_only', 'Only the operator (ADMIN_PASSWORD) may create or change tenant admin keys.', 'kind');

/**
 * Gateway API keys of users and tenant admin keys: issued once, kept as a hash, revoked everywhere
 * at once. A tenant admin key never begets another: only the operator mints or changes them, so a
 * leaked tenant admin key cannot outlive its own revocation through a copy.
 */
@Injectable()
export class KeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UsersRepository,
    private readonly uow: UnitOfWork,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(tenantId: string, q: KeyListQuery): Promise<KeyList> {
    const [rows, total] = await this.keys.page(tenantId, q);
    return { data: rows.map(toKeyView), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async create(actor: AdminActor, tenantId: string, body: CreateKeyBody): Promise<KeyCreated> {
    if (body.kind === 'tenant_admin' && actor.kind !== 'operator') throw adminKeysAreOperators();
    return this.uow.run(async () => {
      let userId: string | null = null;
      if (body.kind === 'user') {
        const user = await this.users.byRef(tenantId, body.user ?? '');
        if (!user) throw new KeyError('user_not_found', 'No such user in this tenant.', 'user');
        userId = user.id;
      }
      const prefix = KEY_PREFIXES[body.kind];
      const secret = newSecret(prefix);
      const row = await this.keys.insert({
        tenantId,
        userId,
        kind: body.kind,
        name: body.name,
        prefix: visiblePrefix(secret, prefix),
        hash: hashSecret(secret),
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        revokedAt: null,
        budget: body.budget,
        allowedModels: body.allowed_models,
        rpm: body.rpm,
        tpm: body.tpm,
      });
      return { ...toKeyView(row), key: secret };
    });
  }

  /** Name, expiry, budget, allowed models or rates of a key; a change that alters its principal evicts it everywhere. */
  async update(actor: AdminActor, tenantId: string, keyId: string, body: UpdateKeyBody): Promise<KeyView> {
    const row = await this.uow.run(async () => {
      const row = await this.keys.inTenant(tenantId, keyId, true);
      if (!row) throw notFound();
      // Extending an admin key's expiry would be minting one.
      if (row.kind === 'tenant_admin' && actor.kind !== 'operator') throw adminKeysAreOperators();
      if (body.budget && row.kind !== 'user') throw new KeyError('budget_not_allowed', 'A tenant admin key does not chat, so it has no budget.', 'budget');
      for (const field of ['allowed_models', 'rpm', 'tpm'] as const) {
        if (body[field] != null && row.kind !== 'user') throw new KeyError('budget_not_allowed', `A tenant admin key does not chat, so it has no ${field}.`, field);
      }
      if (body.name !== undefined) row.name = body.name;
      if (body.expiresAt !== undefined) row.expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (body.budget !== undefined) row.budget = body.budget;
      if (body.allowed_models !== undefined) row.allowedModels = body.allowed_models;
      if (body.rpm !== undefined) row.rpm = body.rpm;
      if (body.tpm !== undefined) row.tpm = body.tpm;
      const saved = await this.keys.save(row);
      // The principal carries the expiry, the budget, the allow-list and the rates: every replica re-resolves the key.
      const resolvesOtherwise = [body.expiresAt, body.budget, body.allowed_models, body.rpm, body.tpm].some((v) => v !== undefined);
      if (row.kind === 'user' && resolvesOtherwise) await this.revocations.publish([keyCredentialId(row.id)]);
      return saved;
    });
    return toKeyView(row);
  }

  async revoke(tenantId: string, keyId: string): Promise<KeyView> {
    const row = await this.keys.inTenant(tenantId, keyId);
    if (!row) throw notFound();
    if (!row.revokedAt) {
      await this.keys.revoke(row.id);
      await this.revocations.publish([keyCredentialId(row.id)]);
    }
    return toKeyView((await this.keys.byId(row.id))!);
  }

  /** A presented tenant admin key → its tenant, or 401 (unknown, revoked or expired look the same). */
  async verifyAdmin(secret: string, now = Date.now()): Promise<{ tenantId: string; keyId: string }> {
    const row = secret.startsWith(KEY_PREFIXES.tenant_admin) ? await this.keys.liveByHash(hashSecret(secret), 'tenant_admin') : null;
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= now)) throw new KeyError('invalid_admin_key', 'Incorrect admin key.');
    return { tenantId: row.tenantId, keyId: row.id };
  }

  /**
   * The bootstrap file's key of a user: created when missing, else its name and expiry set when
   * given. A revoked key stays revoked (re-declaring it must not undo an admin's revocation).
   */
  async declare(tenantId: string, userId: string, declared: DeclaredKey): Promise<Outcome> {
    return this.uow.run(async () => {
      const existing = await this.keys.byHash(declared.hash, true);
      if (!existing) {
        await this.keys.insert({
          tenantId,
          userId,
          kind: 'user',
          name: declared.name ?? '',
          prefix: declared.prefix,
          hash: declared.hash,
          expiresAt: declared.expiresAt ?? null,
          revokedAt: null,
        });
        return 'created';
      }
      if (!this.ownedBy(existing, tenantId, userId)) throw new KeyError('key_owned_elsewhere', 'this key already belongs to another user or tenant', 'hash');
      const name = declared.name ?? existing.name;
      const expiresAt = declared.expiresAt === undefined ? existing.expiresAt : declared.expiresAt;
      if (name === existing.name && timeOf(expiresAt) === timeOf(existing.expiresAt)) return 'unchanged';
      await this.keys.update(existing.id, { name, expiresAt });
      await this.revocations.publish([keyCredentialId(existing.id)]);
      return 'updated';
    });
  }

  /**
   * Whether a declared key hash can be this user's: unknown, or already theirs. `userId` null: the
   * user does not exist yet, so only an unknown hash can be theirs.
   */
  async canDeclare(tenantId: string | null, userId: string | null, hash: string): Promise<boolean> {
    const existing = await this.keys.byHash(hash);
    return !existing || (tenantId !== null && userId !== null && this.ownedBy(existing, tenantId, userId));
  }

  private ownedBy(key: ApiKeyEntity, tenantId: string, userId: string): boolean {
    return key.kind === 'user' && key.tenantId === tenantId && key.userId === userId;
  }
}
