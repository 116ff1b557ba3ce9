import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@chatgate/service-kit';
import { AccountError } from '../accounts/account-error.js';
import { AccountsService, type InspectedToken } from '../accounts/accounts.service.js';
import { AUTH_LOGGER } from '../auth.config.js';
import { KeyError } from '../keys/key-error.js';
import { KeysService } from '../keys/keys.service.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { ModelRoutesService } from '../tenants/model-routes.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { UserError } from '../users/user-error.js';
import { UsersService } from '../users/users.service.js';
import type { BootstrapPlan, DeclaredToken } from './bootstrap-file.js';
import { BootstrapPreflight } from './bootstrap-preflight.js';
import { emptySummary, type BootstrapSummary } from './bootstrap-summary.js';
import { BootstrapTokensRepository } from './bootstrap-tokens.repository.js';
import { declaredKey, declaredUser, keyField } from './declarations.js';
import type { FieldPath } from './yaml-locate.js';
import { formatPath } from './yaml-locate.js';

/** A declared token after the upstream step: inspected now, or already entered by an earlier application. */
type Prepared = { declared: DeclaredToken; inspected: InspectedToken | null };

/**
 * Applies a validated bootstrap file with the same domain services the admin API uses. In order:
 * 1. everything checkable without the upstream is checked (BootstrapPreflight): a file refused
 *    anyway spends no refresh token;
 * 2. the upstream calls, outside any transaction (entering a refresh or session token means
 *    exchanging it; each successor is stored the moment it arrives, see AccountsService);
 * 3. tenants, accounts, routes, users and keys written in ONE transaction (UnitOfWork), so a fault
 *    anywhere leaves the database as it was; revocations and pool reloads go out after commit.
 */
@Injectable()
export class BootstrapService {
  constructor(
    private readonly preflight: BootstrapPreflight,
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly keys: KeysService,
    private readonly routes: ModelRoutesService,
    private readonly bootstrapTokens: BootstrapTokensRepository,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  async apply(plan: BootstrapPlan): Promise<BootstrapSummary> {
    const summary = emptySummary();
    await this.preflight.check(plan);
    const prepared = await this.prepareAccounts(plan, summary);
    await this.uow.run(async () => {
      // Two replicas starting together apply one after the other instead of racing on unique names.
      await this.uow.lock('chatgate-bootstrap', 'bootstrap');
      for (const [ti, declared] of plan.data.tenants.entries()) {
        const tenant = await this.tenants.ensure(declared.slug, declared.name);
        summary.tenants[tenant.outcome] += 1;
        await this.applyAccounts(tenant.id, prepared[ti], summary);
        for (const [i, k] of declared.api_keys.entries()) {
          const saved = await this.accounts.enterApiKey(tenant.id, { ...k, key: plan.apiKeys[ti][i].token });
          summary.accounts[saved.created ? 'created' : 'updated'] += 1;
        }
        if (declared.model_routes !== undefined) await this.routes.set(tenant.id, declared.model_routes);
        for (const [ui, user] of declared.users.entries()) await this.applyUser(plan, tenant.id, user, ['tenants', ti, 'users', ui], summary);
      }
    });
    this.logger.info({ bootstrap: plan.file, ...summary }, 'bootstrap applied');
    return summary;
  }

  /**
   * Each declared token not entered before is checked with the upstream now. A token the upstream
   * refuses is logged (masked) and skipped: a rotated refresh token must not stop the service.
   */
  private async prepareAccounts(plan: BootstrapPlan, summary: BootstrapSummary): Promise<Prepared[][]> {
    const out: Prepared[][] = [];
    for (const [ti, tokens] of plan.tokens.entries()) {
      const known = await this.bootstrapTokens.knownIn(plan.data.tenants[ti].slug);
      const list: Prepared[] = [];
      for (const declared of tokens) {
        if (known.has(declared.fingerprint)) {
          list.push({ declared, inspected: null });
          continue;
        }
        try {
          list.push({ declared, inspected: await this.accounts.inspect(declared.token, declared.kind) });
        } catch (err) {
          if (!(err instanceof AccountError)) throw err;
          summary.accounts.failed += 1;
          // AccountError messages mask the token; the path says which entry it was.
          this.logger.warn({ bootstrap: plan.file, field: formatPath(declared.path), transient: err.transient }, `bootstrap account skipped: ${err.message}`);
        }
      }
      out.push(list);
    }
    return out;
  }

  /** Stores the inspected accounts (keyed by login and workspace, as entering does) and remembers their tokens' fingerprints. */
  private async applyAccounts(tenantId: string, prepared: Prepared[], summary: BootstrapSummary): Promise<void> {
    for (const { declared, inspected } of prepared) {
      if (!inspected) {
        summary.accounts.unchanged += 1;
        continue;
      }
      const saved = await this.accounts.store(tenantId, inspected);
      summary.accounts[saved.created ? 'created' : 'updated'] += 1;
      await this.bootstrapTokens.remember(tenantId, declared.fingerprint, saved.id);
    }
  }

  /** One declared user and its keys; a refusal points at the file's line. */
  private async applyUser(plan: BootstrapPlan, tenantId: string, user: BootstrapPlan['data']['tenants'][number]['users'][number], path: FieldPath, summary: BootstrapSummary): Promise<void> {
    let userId: string;
    try {
      const declared = await this.users.declare(tenantId, declaredUser(user));
      summary.users[declared.outcome] += 1;
      userId = declared.user.id;
    } catch (err) {
      // `chatgpt_list.<i>`: the entry of the list that names no account.
      const index = err instanceof UserError && err.code === 'unknown_account' ? Number(/\.(\d+)$/.exec(err.param ?? '')?.[1] ?? NaN) : NaN;
      if (Number.isNaN(index)) throw err;
      throw plan.fault([...path, 'chatgpt_list', index], err instanceof Error ? err.message : String(err));
    }
    for (const [ki, key] of user.keys.entries()) {
      try {
        summary.keys[await this.keys.declare(tenantId, userId, declaredKey(key))] += 1;
      } catch (err) {
        if (err instanceof KeyError && err.code === 'key_owned_elsewhere') throw plan.fault([...path, 'keys', ki, keyField(key)], err.message);
        throw err;
      }
    }
  }
}
