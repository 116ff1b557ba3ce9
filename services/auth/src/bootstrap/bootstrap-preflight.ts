import { Injectable } from '@nestjs/common';
import { apiKeySecretSchema } from '@chatgate/contracts';
import { AccountError } from '../accounts/account-error.js';
import { PlatformAddressPolicy } from '../accounts/platform-address.policy.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { decodeAccessToken, classifyToken, splitWorkspace } from '../credentials/token-kind.js';
import { KeysService } from '../keys/keys.service.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { BootstrapPlan, DeclaredToken } from './bootstrap-file.js';
import { BootstrapTokensRepository } from './bootstrap-tokens.repository.js';
import { declaredKey, keyField } from './declarations.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Everything of the file that can be checked without the upstream, checked before the first
 * token is exchanged: exchanging rotates refresh tokens away, so a file that is refused anyway
 * must be refused before it spends any. Reads only; the same rules hold again inside the apply
 * transaction (another replica may change things in between).
 */
@Injectable()
export class BootstrapPreflight {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly users: UsersRepository,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly keys: KeysService,
    private readonly bootstrapTokens: BootstrapTokensRepository,
    private readonly addresses: PlatformAddressPolicy,
  ) {}

  async check(plan: BootstrapPlan): Promise<void> {
    for (const declared of plan.apiKeys.flat()) {
      const checked = apiKeySecretSchema.safeParse(declared.token);
      if (!checked.success) throw plan.fault(declared.path, `the key ${checked.error.issues[0].message}`);
    }
    for (const [ti, tenant] of plan.data.tenants.entries()) {
      for (const [ki, key] of tenant.api_keys.entries()) {
        await this.addresses.check(key.base_url).catch((err: unknown) => {
          throw err instanceof AccountError ? plan.fault(['tenants', ti, 'api_keys', ki, 'base_url'], err.message) : err;
        });
      }
    }
    for (const [ti, tenant] of plan.data.tenants.entries()) {
      const tenantId = (await this.tenants.bySlug(tenant.slug))?.id ?? null;
      const couldBe = await this.emailsTheFileMayAdd(tenant.slug, plan.tokens[ti]);
      for (const [ui, user] of tenant.users.entries()) {
        const path = ['tenants', ti, 'users', ui];
        const userId = tenantId ? ((await this.users.byName(tenantId, user.name))?.id ?? null) : null;
        if (Array.isArray(user.chatgpt_list)) {
          for (const [ri, ref] of user.chatgpt_list.entries()) {
            const known = tenantId !== null && (await this.accounts.idsByRef(tenantId, ref)).length > 0;
            if (!known && !couldBe(ref)) throw plan.fault([...path, 'chatgpt_list', ri], `No upstream account '${ref.slice(0, 80)}' in this tenant.`);
          }
        }
        for (const [ki, key] of user.keys.entries()) {
          if (!(await this.keys.canDeclare(tenantId, userId, declaredKey(key).hash))) {
            throw plan.fault([...path, 'keys', ki, keyField(key)], 'this key already belongs to another user or tenant');
          }
        }
      }
    }
  }

  /**
   * Whether an email the database does not know may still come from the file's own accounts: a
   * token not entered before whose email cannot be read without the upstream (a refresh or
   * session token) may be anyone's; an access token names its email in its claims.
   */
  private async emailsTheFileMayAdd(slug: string, tokens: DeclaredToken[]): Promise<(ref: string) => boolean> {
    const known = await this.bootstrapTokens.knownIn(slug);
    const fresh = tokens.filter((t) => !known.has(t.fingerprint));
    const emails = new Set<string>();
    let anyone = false;
    for (const t of fresh) {
      const { token } = splitWorkspace(t.token);
      const email = classifyToken(token) === 'access_token' ? decodeAccessToken(token)?.email : null;
      if (email) emails.add(email.toLowerCase());
      else anyone = true;
    }
    return (ref) => !UUID.test(ref) && (anyone || emails.has(ref.toLowerCase()));
  }
}
