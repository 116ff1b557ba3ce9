import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { AdminFailure } from '../admin/admin-failure.js';
import { ApiKeyEntity } from '../keys/api-key.entity.js';
import { keyCredentialId } from '../keys/credential-revocations.js';
import { KEY_PREFIXES, visiblePrefix } from '../keys/key-secret.js';
import { resolveAccountRefs } from '../users/account-refs.js';
import { UserEntity } from '../users/user.entity.js';
import { fromWireLimits } from '../users/user-limits.js';
import type { UsersService } from '../users/users.service.js';
import type { BootstrapPlan } from './bootstrap-file.js';
import type { BootstrapUser } from './bootstrap.schema.js';
import { keyHashOf } from './bootstrap.schema.js';
import type { BootstrapSummary } from './bootstrap-summary.js';
import type { FieldPath } from './yaml-locate.js';

// jsonb stores object keys in its own order: compare by value, not by serialised text.
const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
const timeOf = (d: Date | null) => d?.getTime() ?? null;

/**
 * One declared user and its keys, inside the bootstrap transaction. Fields the file gives are
 * set; fields it omits keep their stored value (defaults on creation), so admin changes to them
 * survive a restart. Returns the credential ids to evict after commit.
 */
export async function applyUser(
  m: EntityManager,
  ctx: { plan: BootstrapPlan; users: UsersService; summary: BootstrapSummary },
  tenantId: string,
  declared: BootstrapUser,
  path: FieldPath,
): Promise<string[]> {
  const existing = await m.findOne(UserEntity, { where: { tenantId, name: declared.name }, lock: { mode: 'pessimistic_write' } });
  const row = existing ?? m.create(UserEntity, { tenantId, name: declared.name, status: 'active', expiresAt: null, isolatedSession: false, limits: [], allowedAccountIds: null, budget: null });
  const before = existing ? { ...existing } : null;
  if (declared.status !== undefined) row.status = declared.status;
  if (declared.expires_at !== undefined) row.expiresAt = declared.expires_at === null ? null : new Date(declared.expires_at);
  if (declared.isolated_session !== undefined) row.isolatedSession = declared.isolated_session;
  if (declared.limits !== undefined) row.limits = fromWireLimits(declared.limits);
  if (declared.budget !== undefined) row.budget = declared.budget === null ? null : { amountUsd: declared.budget.amount_usd, period: declared.budget.period };
  if (declared.chatgpt_list !== undefined) row.allowedAccountIds = declared.chatgpt_list === 'all' ? null : await accountIds(m, ctx.plan, tenantId, declared.chatgpt_list, [...path, 'chatgpt_list']);
  const changed =
    !before ||
    before.status !== row.status ||
    timeOf(before.expiresAt) !== timeOf(row.expiresAt) ||
    before.isolatedSession !== row.isolatedSession ||
    !sameJson(before.limits, row.limits) ||
    !sameJson(before.allowedAccountIds, row.allowedAccountIds) ||
    !sameJson(before.budget ?? null, row.budget ?? null);
  const revoked: string[] = [];
  if (!before) ctx.summary.users.created += 1;
  else if (changed) ctx.summary.users.updated += 1;
  else ctx.summary.users.unchanged += 1;
  // Cached principals carry status, expiry, limits and accounts: the user's live credentials are evicted, as the admin API does.
  if (changed) {
    await m.save(UserEntity, row);
    if (before) revoked.push(...(await ctx.users.credentialIdsOf(m, [row.id])));
  }
  for (const [i, key] of declared.keys.entries()) revoked.push(...(await applyKey(m, ctx, tenantId, row.id, key, [...path, 'keys', i])));
  return [...new Set(revoked)];
}

async function applyKey(
  m: EntityManager,
  ctx: { plan: BootstrapPlan; summary: BootstrapSummary },
  tenantId: string,
  userId: string,
  declared: BootstrapUser['keys'][number],
  path: FieldPath,
): Promise<string[]> {
  const hash = keyHashOf(declared);
  const existing = await m.findOne(ApiKeyEntity, { where: { hash }, lock: { mode: 'pessimistic_write' } });
  if (!existing) {
    // Only a plain key shows its visible prefix; a hash says nothing about the key beyond its kind.
    const prefix = declared.plain !== undefined ? visiblePrefix(declared.plain, KEY_PREFIXES.user) : `${KEY_PREFIXES.user}…`;
    await m.save(ApiKeyEntity, m.create(ApiKeyEntity, { tenantId, userId, kind: 'user', name: declared.name ?? '', prefix, hash, expiresAt: declared.expires_at ? new Date(declared.expires_at) : null, revokedAt: null }));
    ctx.summary.keys.created += 1;
    return [];
  }
  if (existing.kind !== 'user' || existing.tenantId !== tenantId || existing.userId !== userId) {
    throw ctx.plan.fault([...path, declared.hash !== undefined ? 'hash' : 'plain'], 'this key already belongs to another user or tenant');
  }
  // A revoked key stays revoked: the file re-declaring it must not undo an admin's revocation.
  const name = declared.name ?? existing.name;
  const expiresAt = declared.expires_at === undefined ? existing.expiresAt : declared.expires_at === null ? null : new Date(declared.expires_at);
  if (name === existing.name && timeOf(expiresAt) === timeOf(existing.expiresAt)) {
    ctx.summary.keys.unchanged += 1;
    return [];
  }
  await m.update(ApiKeyEntity, { id: existing.id }, { name, expiresAt });
  ctx.summary.keys.updated += 1;
  return [keyCredentialId(existing.id)];
}

/** chatgpt_list entries (account ids or emails) to account ids; an unknown one names its entry's line. */
async function accountIds(m: EntityManager, plan: BootstrapPlan, tenantId: string, refs: string[], path: FieldPath): Promise<string[]> {
  try {
    return (await resolveAccountRefs(m, tenantId, refs, 'chatgpt_list')).flat();
  } catch (err) {
    if (!(err instanceof AdminFailure)) throw err;
    const index = Number(/\.(\d+)$/.exec(err.failure.error.param ?? '')?.[1] ?? NaN);
    throw plan.fault(Number.isNaN(index) ? path : [...path, index], err.message);
  }
}
