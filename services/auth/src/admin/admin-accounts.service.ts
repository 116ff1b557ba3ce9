import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import type { AccountEntryKind, AccountKind, AccountList, AccountView, ApiKeyAccountInput, AdminEntered, AdminPoolSummary, ImportAccountsResult, ImportLineResult, UpstreamAccountStatus } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { AccountRefresher } from '../accounts/account-refresher.service.js';
import { AccountError } from '../accounts/account-error.js';
import { AccountsService, type EnteredResult } from '../accounts/accounts.service.js';
import type { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { AUTH_LOGGER } from '../auth.config.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { accountLabel, codexUsageView, toAccountView, UNREADABLE, viewStatus, type OpenedSecret, type OpenedSecrets } from './account-view.js';
import { AdminAccountsStore } from './admin-accounts.store.js';
import { apiKeyLineInput, isApiKeyLine, parseImportLines } from './import-lines.js';

/** chat2api's `/tokens/error` lists at most this many accounts. */
const MAX_ERROR_LABELS = 1000;

/** Replaces anything of a pasted line that could be a token by its hint, should a message ever repeat it. */
function scrub(message: string, line: string): string {
  let clean = message;
  for (const part of [line, ...line.split(',')].map((p) => p.trim()).filter((p) => p.length > 12)) clean = clean.split(part).join(maskSecret(part));
  return clean;
}

/**
 * What the admin API does to a tenant's upstream accounts. Every change tells the pool (all auth
 * replicas) to drop its snapshot, so a disabled or deleted account is never leased again.
 */
@Injectable()
export class AdminAccountsService {
  constructor(
    private readonly store: AdminAccountsStore,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly entry: AccountsService,
    private readonly refresher: AccountRefresher,
    private readonly pool: AccountPoolService,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  async list(tenantId: string, query: { status?: UpstreamAccountStatus; kind?: AccountKind; page: number; limit: number }, now = Date.now()): Promise<AccountList> {
    const { rows, total } = await this.store.page(tenantId, { status: query.status, kind: query.kind }, query.page, query.limit, now);
    return { data: rows.map((r) => this.view(r, now)), page: query.page, limit: query.limit, total, hasMore: (query.page - 1) * query.limit + rows.length < total };
  }

  async get(tenantId: string, id: string): Promise<AccountView> {
    return this.view(await this.mustFind(tenantId, id));
  }

  async disable(tenantId: string, id: string): Promise<AccountView> {
    await this.mustFind(tenantId, id);
    await this.store.setStatus(tenantId, id, 'disabled');
    this.pool.announceChanged(tenantId, [id]);
    return this.get(tenantId, id);
  }

  /** Back into the pool; an account without an access token comes back as needing one. */
  async enable(tenantId: string, id: string): Promise<AccountView> {
    const row = await this.mustFind(tenantId, id);
    if (row.status === 'disabled') {
      await this.store.setStatus(tenantId, id, row.accessTokenEnc ? 'active' : 'needs_token');
      this.pool.announceChanged(tenantId, [id]);
    }
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<{ id: string; deleted: true }> {
    if (!(await this.store.delete(tenantId, id))) throw AccountError.notFound(id);
    this.pool.announceChanged(tenantId, [id]);
    this.logger.info({ accountId: id }, 'upstream account deleted by an admin');
    return { id, deleted: true };
  }

  async clear(tenantId: string): Promise<{ deleted: number }> {
    const ids = await this.store.clear(tenantId);
    this.pool.announceChanged(tenantId, ids);
    this.logger.info({ deleted: ids.length }, "tenant's upstream accounts cleared by an admin");
    return { deleted: ids.length };
  }

  /** Refresh now, through the same refresher (and per-account lock) as the pool and the schedule. */
  async refresh(tenantId: string, id: string): Promise<AccountView> {
    const row = await this.mustFind(tenantId, id);
    if (row.kind === 'api_key') throw new AccountError('not_refreshable', 'The account is an API key: there is nothing to refresh. Enter the key again to replace it.');
    // The refresher saves the account as active: refreshing a disabled one would re-enable it.
    if (row.status === 'disabled') throw new AccountError('account_disabled', 'The account is disabled; enable it before refreshing it.');
    // The refresher marks an account with nothing to refresh with as needing a token: not what "refresh now" means.
    if (!row.refreshTokenEnc && !row.sessionTokenEnc) {
      throw row.kind === 'codex'
        ? new AccountError('not_refreshable', 'The Codex login has only an access token (an at- token or a bare access token); enter its codex login auth file to refresh it.')
        : new AccountError('not_refreshable', 'The account has only an access token; enter its refresh or session token to refresh it.');
    }
    // Explicit: a Codex login set aside because a refresh got no answer is tried once more, as the operator asks.
    const result = await this.refresher.refresh(id, undefined, { explicit: true });
    this.pool.announceChanged(tenantId, [id]);
    if (!result.ok) {
      if (!result.dead) throw new AccountError('refresh_failed', `The refresh failed (${result.message}); try again later.`);
      // A Codex refusal's message already says what to do.
      throw new AccountError('needs_token', row.kind === 'codex' ? result.message : `The upstream refused the account's refresh credential (${result.message}); enter a new token.`);
    }
    return this.get(tenantId, id);
  }

  async summary(tenantId: string, now = Date.now()): Promise<AdminPoolSummary> {
    const [usableCount, needing, codex] = await Promise.all([this.store.usableCount(tenantId), this.store.needingToken(tenantId, MAX_ERROR_LABELS), this.store.codexAccounts(tenantId)]);
    const summary: AdminPoolSummary = { usableCount, needsToken: needing.map((r) => accountLabel(r, this.open(r))) };
    if (codex.length) {
      summary.codex = codex.map((r) => ({ label: accountLabel(r, this.open(r)), status: viewStatus(r.status, r.cooldowns, now, r.limitedUntil), usage: codexUsageView(r, now)! }));
    }
    return summary;
  }

  /**
   * One line at a time, on purpose: two tokens of one account entered at once would race to
   * create the same row, and the loser's refresh token, already rotated by the upstream, would be lost.
   */
  /** @param kind what the bare tokens are (`codex`: Codex logins' refresh or access tokens); auth files and `at-` tokens are Codex anyway. */
  async import(tenantId: string, lines: string[], apiKeys: ApiKeyAccountInput[] = [], kind: AccountEntryKind = 'chatgpt'): Promise<ImportAccountsResult> {
    const results: ImportLineResult[] = [];
    for (const item of parseImportLines(lines)) {
      if (item.kind === 'comment') results.push({ line: item.line, status: 'skipped', reason: 'comment' });
      else if (item.kind === 'duplicate') results.push({ line: item.line, status: 'skipped', reason: 'duplicate' });
      else if (isApiKeyLine(item.token)) results.push(await this.importApiKey(tenantId, item.line, apiKeyLineInput(item.token), item.token));
      else results.push(await this.importOne(tenantId, item.line, item.token, kind));
    }
    // Results of `api_keys` are numbered after the lines, in order.
    for (const [i, input] of apiKeys.entries()) results.push(await this.importApiKey(tenantId, lines.length + i + 1, input, input.key));
    const counts = { created: 0, updated: 0, skipped: 0, error: 0 };
    for (const r of results) counts[r.status]++;
    this.logger.info({ counts }, 'upstream accounts imported by an admin');
    return { results, counts, usableCount: await this.store.usableCount(tenantId) };
  }

  private async importApiKey(tenantId: string, line: number, input: ApiKeyAccountInput | string, secret: string): Promise<ImportLineResult> {
    if (typeof input === 'string') return { line, status: 'error', error: scrub(input, secret) };
    try {
      const saved = await this.entry.enterApiKey(tenantId, input);
      return { line, status: saved.created ? 'created' : 'updated', accountId: saved.accountId, email: null };
    } catch (err) {
      // A base URL refused by the address policy: that key's line says why; the others go on.
      if (err instanceof AccountError) return { line, status: 'error', error: scrub(err.message, secret) };
      throw err;
    }
  }

  private async importOne(tenantId: string, line: number, token: string, kind: AccountEntryKind): Promise<ImportLineResult> {
    try {
      const entered = await this.entry.enter(tenantId, token, kind);
      return { line, status: entered.created ? 'created' : 'updated', accountId: entered.accountId, email: entered.email };
    } catch (err) {
      if (err instanceof AccountError) return { line, status: 'error', error: scrub(err.message, token) };
      const incident = randomUUID();
      this.logger.error({ incident, line, err: scrub(err instanceof Error ? err.message : String(err), token) }, 'importing a token failed');
      return { line, status: 'error', error: `internal error while entering this token (incident ${incident})` };
    }
  }

  /**
   * ChatGPT-Mirror's `/api/get-user-info`: enter one token, answer with the access token it
   * became, and the refresh or session token on file when that is the kind that was entered
   * (rotated by the exchange, so the one given is already spent).
   */
  async enter(tenantId: string, token: string): Promise<AdminEntered> {
    let entered: EnteredResult;
    try {
      entered = await this.entry.enter(tenantId, token);
    } catch (err) {
      if (err instanceof AccountError) throw new AccountError(err.code, scrub(err.message, token), err.param);
      throw err;
    }
    const row = await this.mustFind(tenantId, entered.accountId);
    const accessToken = this.accounts.accessTokenOf(row);
    // An invariant, not a refusal: the runner answers it as an internal error with an incident id.
    if (!accessToken) throw new Error('the account was stored without an access token');
    const secrets = this.accounts.secretsOf(row);
    return {
      accountId: row.id,
      created: entered.created,
      email: entered.email,
      plan: entered.plan,
      accessToken,
      refreshToken: entered.tokenKind.startsWith('refresh_token') ? secrets.refreshToken : null,
      sessionToken: entered.tokenKind === 'session_token' ? secrets.sessionToken : null,
    };
  }

  private async mustFind(tenantId: string, id: string): Promise<UpstreamAccountEntity> {
    const row = await this.store.byId(tenantId, id);
    if (!row) throw AccountError.notFound(id);
    return row;
  }

  private view(row: UpstreamAccountEntity, now = Date.now()): AccountView {
    return toAccountView(row, this.open(row), now);
  }

  /** Each token opened for its hint alone; one that cannot be opened is shown as such instead of failing the listing. */
  private open(row: UpstreamAccountEntity): OpenedSecrets {
    const attempt = (open: () => string | null): OpenedSecret => {
      try {
        return open();
      } catch {
        return UNREADABLE;
      }
    };
    return {
      access: attempt(() => this.accounts.accessTokenOf(row)),
      refresh: attempt(() => this.accounts.secretsOf(row).refreshToken),
      session: attempt(() => this.accounts.secretsOf(row).sessionToken),
    };
  }
}
