import type { UserView } from '@chatgate/contracts';
import type { UserEntity } from './user.entity.js';
import { toWireLimits } from './user-limits.js';

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    tenantId: u.tenantId,
    name: u.name,
    status: u.status,
    expiresAt: u.expiresAt?.toISOString() ?? null,
    isolated_session: u.isolatedSession,
    limits: toWireLimits(u.limits),
    chatgpt_list: u.allowedAccountIds ?? 'all',
    budget: u.budget ?? null,
    allowed_models: u.allowedModels ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** Why a user's credentials are refused now, or null when they are usable. */
export function userRefusal(u: UserEntity, now: number): { code: 'user_disabled' | 'user_expired'; message: string } | null {
  if (u.status === 'disabled') return { code: 'user_disabled', message: `The user ${u.name} is disabled.` };
  if (u.expiresAt && u.expiresAt.getTime() <= now) return { code: 'user_expired', message: `The user ${u.name} expired at ${u.expiresAt.toISOString()}.` };
  return null;
}
