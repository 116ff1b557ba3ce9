import type { KeyView } from '@chatgate/contracts';
import type { ApiKeyEntity } from './api-key.entity.js';

export function toKeyView(k: ApiKeyEntity): KeyView {
  return {
    id: k.id,
    kind: k.kind,
    tenantId: k.tenantId,
    userId: k.userId,
    name: k.name,
    prefix: k.prefix,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    budget: k.budget ?? null,
    allowed_models: k.allowedModels ?? null,
    rpm: k.rpm ?? null,
    tpm: k.tpm ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}
