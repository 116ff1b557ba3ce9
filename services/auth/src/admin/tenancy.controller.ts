import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ADMIN_KEY_VERIFY,
  ADMIN_KEYS_CREATE,
  ADMIN_KEYS_LIST,
  ADMIN_KEYS_REVOKE,
  ADMIN_KEYS_UPDATE,
  ADMIN_MIRROR_LOGIN,
  ADMIN_MIRROR_LOGOUT,
  ADMIN_MIRROR_TOKENS,
  ADMIN_TENANTS_CREATE,
  ADMIN_TENANTS_DELETE,
  ADMIN_TENANTS_GET,
  ADMIN_TENANTS_LIST,
  ADMIN_TENANTS_RENAME,
  ADMIN_USERS_CREATE,
  ADMIN_USERS_DELETE,
  ADMIN_USERS_GET,
  ADMIN_USERS_LIST,
  ADMIN_USERS_UPDATE,
  adminKeyCreateRequestSchema,
  adminKeyListRequestSchema,
  adminKeyRevokeRequestSchema,
  adminKeyUpdateRequestSchema,
  adminKeyVerifyRequestSchema,
  adminMirrorLoginRequestSchema,
  adminMirrorLogoutRequestSchema,
  adminMirrorTokensRequestSchema,
  adminTenantCreateRequestSchema,
  adminTenantDeleteRequestSchema,
  adminTenantGetRequestSchema,
  adminTenantListRequestSchema,
  adminTenantRenameRequestSchema,
  adminUserCreateRequestSchema,
  adminUserGetRequestSchema,
  adminUserListRequestSchema,
  adminUserUpdateRequestSchema,
  type KeyView,
  type TenantView,
  type UserView,
} from '@chatgate/contracts';
import { KeysService } from '../keys/keys.service.js';
import { MirrorTokensService } from '../keys/mirror-tokens.service.js';
import { TenantsAdminService } from '../tenants/tenants-admin.service.js';
import { UsersService } from '../users/users.service.js';
import { AdminRunner } from './admin-runner.js';

/** The bus side of tenants, users, keys and ChatGPT-Mirror's user routes. */
@Controller()
export class TenancyController {
  constructor(
    private readonly runner: AdminRunner,
    private readonly tenants: TenantsAdminService,
    private readonly users: UsersService,
    private readonly keys: KeysService,
    private readonly mirror: MirrorTokensService,
  ) {}

  @MessagePattern(ADMIN_KEY_VERIFY)
  verify(@Payload() p: unknown) {
    return this.runner.unscoped(adminKeyVerifyRequestSchema, p, (r) => this.keys.verifyAdmin(r.key));
  }

  @MessagePattern(ADMIN_TENANTS_LIST)
  listTenants(@Payload() p: unknown) {
    return this.runner.unscoped(adminTenantListRequestSchema, p, (r) => this.tenants.list(r.actor, r.query));
  }

  @MessagePattern(ADMIN_TENANTS_GET)
  getTenant(@Payload() p: unknown) {
    return this.runner.unscoped(adminTenantGetRequestSchema, p, (r) => this.tenants.get(r.actor, r.tenantId));
  }

  @MessagePattern(ADMIN_TENANTS_CREATE)
  createTenant(@Payload() p: unknown) {
    return this.runner.changeUnscoped(
      { action: 'tenants.create', ofTenant: true, describe: (r) => ({ details: { slug: r.body.slug, name: r.body.name } }), targetOf: (t: TenantView) => t.id },
      adminTenantCreateRequestSchema,
      p,
      (r) => this.tenants.create(r.actor, r.body),
    );
  }

  @MessagePattern(ADMIN_TENANTS_RENAME)
  renameTenant(@Payload() p: unknown) {
    return this.runner.changeUnscoped(
      { action: 'tenants.rename', describe: (r) => ({ target: r.tenantId, details: { name: r.body.name } }) },
      adminTenantRenameRequestSchema,
      p,
      (r) => this.tenants.rename(r.actor, r.tenantId, r.body.name),
    );
  }

  @MessagePattern(ADMIN_TENANTS_DELETE)
  deleteTenant(@Payload() p: unknown) {
    return this.runner.changeUnscoped(
      { action: 'tenants.delete', describe: (r) => ({ target: r.tenantId, details: { cascade: r.cascade } }) },
      adminTenantDeleteRequestSchema,
      p,
      (r) => this.tenants.delete(r.actor, r.tenantId, r.cascade),
    );
  }

  @MessagePattern(ADMIN_USERS_LIST)
  listUsers(@Payload() p: unknown) {
    return this.runner.run(adminUserListRequestSchema, p, (t, r) => this.users.list(t, r.query));
  }

  @MessagePattern(ADMIN_USERS_GET)
  getUser(@Payload() p: unknown) {
    return this.runner.run(adminUserGetRequestSchema, p, (t, r) => this.users.get(t, r.userId));
  }

  @MessagePattern(ADMIN_USERS_CREATE)
  createUser(@Payload() p: unknown) {
    // A user's settings hold no secret: the body is recorded as parsed (only the schema's fields).
    return this.runner.change({ action: 'users.create', describe: (r) => ({ details: r.body }), targetOf: (u: UserView) => u.id }, adminUserCreateRequestSchema, p, (t, r) => this.users.create(t, r.body));
  }

  @MessagePattern(ADMIN_USERS_UPDATE)
  updateUser(@Payload() p: unknown) {
    return this.runner.change({ action: 'users.update', describe: (r) => ({ target: r.userId, details: r.body }) }, adminUserUpdateRequestSchema, p, (t, r) => this.users.update(t, r.userId, r.body));
  }

  @MessagePattern(ADMIN_USERS_DELETE)
  deleteUser(@Payload() p: unknown) {
    return this.runner.change({ action: 'users.delete', describe: (r) => ({ target: r.userId }) }, adminUserGetRequestSchema, p, (t, r) => this.users.delete(t, r.userId));
  }

  @MessagePattern(ADMIN_KEYS_LIST)
  listKeys(@Payload() p: unknown) {
    return this.runner.run(adminKeyListRequestSchema, p, (t, r) => this.keys.list(t, r.query));
  }

  @MessagePattern(ADMIN_KEYS_CREATE)
  createKey(@Payload() p: unknown) {
    // The key itself is made here and answered once: the request holds no secret, and the row never the key.
    return this.runner.change({ action: 'keys.create', describe: (r) => ({ details: r.body }), targetOf: (k: KeyView) => k.id }, adminKeyCreateRequestSchema, p, (t, r) => this.keys.create(r.actor, t, r.body));
  }

  @MessagePattern(ADMIN_KEYS_UPDATE)
  updateKey(@Payload() p: unknown) {
    return this.runner.change({ action: 'keys.update', describe: (r) => ({ target: r.keyId, details: r.body }) }, adminKeyUpdateRequestSchema, p, (t, r) => this.keys.update(r.actor, t, r.keyId, r.body));
  }

  @MessagePattern(ADMIN_KEYS_REVOKE)
  revokeKey(@Payload() p: unknown) {
    return this.runner.change({ action: 'keys.revoke', describe: (r) => ({ target: r.keyId }) }, adminKeyRevokeRequestSchema, p, (t, r) => this.keys.revoke(t, r.keyId));
  }

  @MessagePattern(ADMIN_MIRROR_LOGIN)
  login(@Payload() p: unknown) {
    return this.runner.change(
      {
        action: 'mirror.login',
        upstream: true,
        // Never the access token.
        describe: (r) => ({ target: r.body.user_name, details: { user_name: r.body.user_name, limits: r.body.limits ?? null, isolated_session: r.body.isolated_session ?? null } }),
      },
      adminMirrorLoginRequestSchema,
      p,
      (t, r) => this.mirror.login(t, r.body),
    );
  }

  @MessagePattern(ADMIN_MIRROR_LOGOUT)
  logout(@Payload() p: unknown) {
    return this.runner.change({ action: 'mirror.logout', describe: (r) => ({ target: r.body.user_name }) }, adminMirrorLogoutRequestSchema, p, (t, r) => this.mirror.logout(t, r.body.user_name));
  }

  @MessagePattern(ADMIN_MIRROR_TOKENS)
  mirrorTokens(@Payload() p: unknown) {
    return this.runner.change({ action: 'mirror.tokens', describe: (r) => ({ target: r.body.user_name, details: r.body }) }, adminMirrorTokensRequestSchema, p, (t, r) => this.mirror.forEmails(t, r.body));
  }
}
