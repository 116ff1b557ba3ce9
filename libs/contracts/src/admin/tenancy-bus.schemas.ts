import { z } from 'zod';
import { adminActorSchema } from './admin-actor.schema.js';
import { adminReplySchema } from './admin-bus.schemas.js';
import { createKeyBodySchema, keyCreatedSchema, keyListQuerySchema, keyListSchema, keyViewSchema, updateKeyBodySchema } from './key.schemas.js';
import { getMirrorTokenBodySchema, mirrorLoginBodySchema, mirrorLogoutBodySchema } from './mirror.schemas.js';
import { createTenantBodySchema, renameTenantBodySchema, tenantDeletedSchema, tenantListQuerySchema, tenantListSchema, tenantViewSchema } from './tenant.schemas.js';
import { createUserBodySchema, updateUserBodySchema, userDeletedSchema, userListQuerySchema, userListSchema, userViewSchema } from './user.schemas.js';

/** The bus side of tenants, users and keys: the HTTP bodies as the gateway validated them, re-validated by auth. */
const actor = { actor: adminActorSchema };

/** A presented `cga_…` key → its tenant, or a refusal. The key travels once, never stored or logged. */
export const adminKeyVerifyRequestSchema = z.object({ key: z.string().min(1).max(200) });
export const adminKeyVerifyReplySchema = adminReplySchema(z.object({ tenantId: z.string(), keyId: z.string() }));

export const adminTenantListRequestSchema = z.object({ ...actor, query: tenantListQuerySchema });
export const adminTenantListReplySchema = adminReplySchema(tenantListSchema);
export const adminTenantGetRequestSchema = z.object({ ...actor, tenantId: z.string() });
export const adminTenantReplySchema = adminReplySchema(tenantViewSchema);
export const adminTenantCreateRequestSchema = z.object({ ...actor, body: createTenantBodySchema });
export const adminTenantRenameRequestSchema = z.object({ ...actor, tenantId: z.string(), body: renameTenantBodySchema });
export const adminTenantDeleteRequestSchema = z.object({ ...actor, tenantId: z.string(), cascade: z.boolean() });
export const adminTenantDeletedReplySchema = adminReplySchema(tenantDeletedSchema);

export const adminUserListRequestSchema = z.object({ ...actor, query: userListQuerySchema });
export const adminUserListReplySchema = adminReplySchema(userListSchema);
export const adminUserGetRequestSchema = z.object({ ...actor, userId: z.string() });
export const adminUserReplySchema = adminReplySchema(userViewSchema);
export const adminUserCreateRequestSchema = z.object({ ...actor, body: createUserBodySchema });
export const adminUserUpdateRequestSchema = z.object({ ...actor, userId: z.string(), body: updateUserBodySchema });
export const adminUserDeletedReplySchema = adminReplySchema(userDeletedSchema);

export const adminKeyListRequestSchema = z.object({ ...actor, query: keyListQuerySchema });
export const adminKeyListReplySchema = adminReplySchema(keyListSchema);
export const adminKeyCreateRequestSchema = z.object({ ...actor, body: createKeyBodySchema });
export const adminKeyCreatedReplySchema = adminReplySchema(keyCreatedSchema);
export const adminKeyRevokeRequestSchema = z.object({ ...actor, keyId: z.string() });
export const adminKeyReplySchema = adminReplySchema(keyViewSchema);
export const adminKeyUpdateRequestSchema = z.object({ ...actor, keyId: z.string(), body: updateKeyBodySchema });

export const adminMirrorLoginRequestSchema = z.object({ ...actor, body: mirrorLoginBodySchema });
export const adminMirrorLoginReplySchema = adminReplySchema(z.object({ token: z.string() }));
export const adminMirrorLogoutRequestSchema = z.object({ ...actor, body: mirrorLogoutBodySchema });
export const adminMirrorLogoutReplySchema = adminReplySchema(z.object({ revoked: z.number().int() }));
export const adminMirrorTokensRequestSchema = z.object({ ...actor, body: getMirrorTokenBodySchema });
export const adminMirrorTokensReplySchema = adminReplySchema(z.array(z.object({ email: z.string(), token: z.string() })));
