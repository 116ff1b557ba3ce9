import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { Logger } from '@chatgate/service-kit';
import { AccountsService, apiKeyEntry, EnterTokenError, type InspectedToken } from '../accounts/accounts.service.js';
import { apiKeySecretSchema } from '@chatgate/contracts';
import { ModelRoutesService } from '../tenants/model-routes.service.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { AUTH_LOGGER } from '../auth.config.js';
import { CredentialRevocations } from '../keys/credential-revocations.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UsersService } from '../users/users.service.js';
import { applyUser } from './apply-users.js';
import type { BootstrapPlan, DeclaredToken } from './bootstrap-file.js';
import { emptySummary, type BootstrapSummary } from './bootstrap-summary.js';
import { formatPath } from './yaml-locate.js';

/** A declared token after the upstream step: inspected now, or already entered by an earlier application. */
type Prepared = { declared: DeclaredToken; inspected: InspectedToken | null };

/**
 * Applies a validated bootstrap file. Upstream calls come first (entering a refresh or session
 * token means exchanging it), outside any transaction; then tenants, accounts, users and keys are
 * written in ONE transaction, so a fault anywhere leaves the database as it was. Revocations and
 * pool reloads are announced after commit, as the admin API does.
 */
@Injectable()
export class BootstrapService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly accounts: AccountsService,
    private readonly accountRows: UpstreamAccountsRepository,
    private readonly users: UsersService,
    private readonly revocations: CredentialRevocations,
    private readonly pool: AccountPoolService,
    private readonly routes: ModelRoutesService,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  async apply(plan: BootstrapPlan): Promise<BootstrapSummary> {
    const summary = emptySummary();
    const prepared = await this.prepareAccounts(plan, summary);
    // A malformed key stops the start like any other fault of the file, naming where it came from.
    for (const declared of plan.apiKeys.flat()) {
      const checked = apiKeySecretSchema.safeParse(declared.token);
      if (!checked.success) throw plan.fault(declared.path, `the key ${checked.error.issues[0].message}`);
    }
    const routedTenants: string[] = [];
    const { revoked, changedAccounts } = await this.tenants.manager.transaction(async (m) => {
      // Two replicas starting together apply one after the other instead of racing on unique names.
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 2))', ['chatgate-bootstrap']);
      const revoked: string[] = [];
      const changedAccounts = new Map<string, string[]>();
      for (const [ti, declared] of plan.data.tenants.entries()) {
        const tenantId = await this.applyTenant(m, declared, summary);
        changedAccounts.set(tenantId, await this.applyAccounts(m, tenantId, prepared[ti], summary));
        changedAccounts.get(tenantId)!.push(...(await this.applyApiKeys(m, tenantId, declared, plan.apiKeys[ti], summary)));
        if (declared.model_routes !== undefined) {
          await this.routes.set(tenantId, declared.model_routes, m);
          routedTenants.push(tenantId);
        }
        for (const [ui, user] of declared.users.entries()) revoked.push(...(await applyUser(m, { plan, users: this.users, summary }, tenantId, user, ['tenants', ti, 'users', ui])));
      }
      return { revoked, changedAccounts };
    });
    await this.revocations.publish(revoked);
    for (const [tenantId, ids] of changedAccounts) if (ids.length) this.pool.announceChanged(tenantId, ids);
    if (routedTenants.length) await this.routes.announce(routedTenants);
    this.logger.info({ bootstrap: plan.file, ...summary, revokedCredentials: revoked.length }, 'bootstrap applied');
    return summary;
  }

  /**
   * Each declared token not entered before is checked with the upstream now. A token the upstream
   * refuses is logged (masked) and skipped: a rotated refresh token must not stop the service.
   */
  private async prepareAccounts(plan: BootstrapPlan, summary: BootstrapSummary): Promise<Prepared[][]> {
    const out: Prepared[][] = [];
    for (const [ti, tokens] of plan.tokens.entries()) {
      const known = await this.knownFingerprints(plan.data.tenants[ti].slug);
      const list: Prepared[] = [];
      for (const declared of tokens) {
        if (known.has(declared.fingerprint)) {
          list.push({ declared, inspected: null });
          continue;
        }
        try {
          list.push({ declared, inspected: await this.accounts.inspect(declared.token) });
        } catch (err) {
          if (!(err instanceof EnterTokenError)) throw err;
          summary.accounts.failed += 1;
          // EnterTokenError messages mask the token; the path says which entry it was.
          this.logger.warn({ bootstrap: plan.file, field: formatPath(declared.path), transient: err.transient }, `bootstrap account skipped: ${err.message}`);
        }
      }
      out.push(list);
    }
    return out;
  }

  /** Fingerprints of tokens this tenant's file entries already became accounts with. */
  private async knownFingerprints(slug: string): Promise<Set<string>> {
    const rows: Array<{ fingerprint: string }> = await this.tenants.query(
      `SELECT b.fingerprint FROM "auth"."bootstrap_tokens" b JOIN "auth"."tenants" t ON t.id = b.tenant_id WHERE t.slug = $1`,
      [slug],
    );
    return new Set(rows.map((r) => r.fingerprint));
  }

  private async applyTenant(m: EntityManager, declared: BootstrapPlan['data']['tenants'][number], summary: BootstrapSummary): Promise<string> {
    const existing = await m.findOne(TenantEntity, { where: { slug: declared.slug }, lock: { mode: 'pessimistic_write' } });
    if (!existing) {
      const row = await m.save(TenantEntity, m.create(TenantEntity, { slug: declared.slug, name: declared.name ?? declared.slug }));
      summary.tenants.created += 1;
      return row.id;
    }
    if (declared.name !== undefined && declared.name !== existing.name) {
      await m.update(TenantEntity, { id: existing.id }, { name: declared.name });
      summary.tenants.updated += 1;
    } else summary.tenants.unchanged += 1;
    return existing.id;
  }

  /** API keys need no upstream call: each is stored (or updated, found by its fingerprint) as the file says. */
  private async applyApiKeys(m: EntityManager, tenantId: string, declared: BootstrapPlan['data']['tenants'][number], keys: DeclaredToken[], summary: BootstrapSummary): Promise<string[]> {
    const changed: string[] = [];
    for (const [i, k] of declared.api_keys.entries()) {
      const saved = await this.accountRows.upsertApiKey(apiKeyEntry(tenantId, { ...k, key: keys[i].token }), m);
      if (saved.created) summary.accounts.created += 1;
      else summary.accounts.updated += 1;
      changed.push(saved.id);
    }
    return changed;
  }

  /** Stores the inspected accounts (keyed by login and workspace, as entering does) and remembers their tokens' fingerprints. */
  private async applyAccounts(m: EntityManager, tenantId: string, prepared: Prepared[], summary: BootstrapSummary): Promise<string[]> {
    const changed: string[] = [];
    for (const { declared, inspected } of prepared) {
      if (!inspected) {
        summary.accounts.unchanged += 1;
        continue;
      }
      const saved = await this.accountRows.upsert({ tenantId, ...inspected.account }, m);
      if (saved.created) summary.accounts.created += 1;
      else summary.accounts.updated += 1;
      changed.push(saved.id);
      await m.query(
        `INSERT INTO "auth"."bootstrap_tokens" (tenant_id, fingerprint, account_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET account_id = EXCLUDED.account_id`,
        [tenantId, declared.fingerprint, saved.id],
      );
    }
    return changed;
  }
}
