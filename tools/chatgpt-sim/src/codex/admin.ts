// What tests do to the Codex side, in one place for the in-process API (sim.codex) and the
// /_sim/codex/* control routes: mint logins and access tokens, set an account's plan, models,
// usage windows, forced 429 and next refresh outcomes, and reset it all.
import type { AccountRecord } from '../accounts.js';
import type { SimContext } from '../context.js';
import { HttpError } from '../http.js';
import { isPlan, PLANS, type CodexAccessTokenGrant, type CodexAccountUpdate, type CodexAccountView, type CodexLogin, type CodexLoginOptions, type CodexWindowUpdate } from '../types.js';
import type { RefreshFailure } from './credentials.js';
import type { UsageWindow } from './limits.js';
import { DEFAULT_QUIRKS } from './quirks.js';

const REFRESH_FAILURES: readonly RefreshFailure[] = ['reused', 'expired', 'invalidated'];

const bad = (detail: string) => new HttpError(400, { detail });

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

export function findAccount(ctx: SimContext, accountIdOrEmail: string): AccountRecord {
  const account = ctx.accounts.find(accountIdOrEmail);
  if (!account) throw new HttpError(404, { detail: `unknown account ${JSON.stringify(accountIdOrEmail)}` });
  return account;
}

/** The named account, or a new one issued with the options (its web credentials come along). */
function accountFor(ctx: SimContext, opts: CodexLoginOptions): AccountRecord {
  if (opts.account) return findAccount(ctx, opts.account);
  const { expiresInSec: _ttl, account: _account, ...issue } = opts;
  return ctx.accounts.issue(issue);
}

export function codexLogin(ctx: SimContext, opts: CodexLoginOptions = {}): CodexLogin {
  const account = accountFor(ctx, opts);
  const tokens = ctx.codex.credentials.login(account, opts.expiresInSec ?? ctx.codex.credentials.accessTokenTtlSec);
  const lastRefresh = new Date().toISOString();
  return {
    accountId: account.accountId,
    email: account.email,
    userId: account.userId,
    plan: account.plan,
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    lastRefresh,
    authFile: {
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: tokens.idToken, access_token: tokens.accessToken, refresh_token: tokens.refreshToken, account_id: account.accountId },
      last_refresh: lastRefresh,
    },
  };
}

export function codexAccessToken(ctx: SimContext, opts: CodexLoginOptions = {}): CodexAccessTokenGrant {
  const account = accountFor(ctx, { plan: 'business', ...opts });
  return { accessToken: ctx.codex.credentials.issueAccessToken(account, opts.expiresInSec), accountId: account.accountId, email: account.email, plan: account.plan };
}

export function codexAccountView(ctx: SimContext, account: AccountRecord): CodexAccountView {
  return {
    accountId: account.accountId,
    email: account.email,
    plan: account.plan,
    models: ctx.codex.accounts.models(account),
    limits: structuredClone(ctx.codex.accounts.of(account).limits),
    pendingRefreshOutcomes: ctx.codex.credentials.pendingForced(account.accountId),
    logins: ctx.codex.credentials.familiesOf(account.accountId),
  };
}

function num(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${field} must be a number`);
  return value;
}

function applyWindow(current: UsageWindow | null, update: CodexWindowUpdate | null | undefined, field: string): UsageWindow | null {
  if (update === undefined) return current;
  if (update === null) return null;
  if (typeof update !== 'object') throw bad(`${field} must be an object or null`);
  const now = nowSec();
  const windowMinutes = num(update.windowMinutes, `${field}.windowMinutes`) ?? current?.windowMinutes ?? 300;
  const resetAfter = num(update.resetAfterSeconds, `${field}.resetAfterSeconds`);
  const resetAt = num(update.resetAt, `${field}.resetAt`) ?? (resetAfter !== undefined ? now + resetAfter : current && update.windowMinutes === undefined ? current.resetAt : now + windowMinutes * 60);
  const usedPercent = num(update.usedPercent, `${field}.usedPercent`) ?? current?.usedPercent ?? 0;
  return { usedPercent, windowMinutes, resetAt };
}

export function updateCodexAccount(ctx: SimContext, accountIdOrEmail: string, update: CodexAccountUpdate): CodexAccountView {
  const account = findAccount(ctx, accountIdOrEmail);
  if (update.plan !== undefined) {
    if (!isPlan(update.plan)) throw bad(`plan must be one of ${PLANS.join(', ')}`);
    account.plan = update.plan;
  }
  const state = ctx.codex.accounts.of(account);
  if (update.models !== undefined) {
    if (update.models !== null && !(Array.isArray(update.models) && update.models.every((m) => typeof m === 'string'))) throw bad('models must be an array of strings or null');
    state.models = update.models === null ? null : [...update.models];
  }
  if (update.limits !== undefined) {
    const { primary, secondary, credits, percentPerRequest } = update.limits;
    state.limits.primary = applyWindow(state.limits.primary, primary, 'limits.primary');
    state.limits.secondary = applyWindow(state.limits.secondary, secondary, 'limits.secondary');
    if (credits !== undefined) {
      if (credits.hasCredits !== undefined) state.limits.credits.hasCredits = Boolean(credits.hasCredits);
      if (credits.unlimited !== undefined) state.limits.credits.unlimited = Boolean(credits.unlimited);
      if (credits.balance !== undefined) state.limits.credits.balance = String(credits.balance);
    }
    state.limits.percentPerRequest = num(percentPerRequest, 'limits.percentPerRequest') ?? state.limits.percentPerRequest;
  }
  if (update.limitedUntil !== undefined) state.limits.limitedUntil = update.limitedUntil === null ? null : num(update.limitedUntil, 'limitedUntil')!;
  if (update.nextRefresh !== undefined) {
    const outcomes = update.nextRefresh === null ? [] : Array.isArray(update.nextRefresh) ? update.nextRefresh : [update.nextRefresh];
    for (const o of outcomes) if (!REFRESH_FAILURES.includes(o)) throw bad(`nextRefresh must be one of ${REFRESH_FAILURES.join(', ')}`);
    ctx.codex.credentials.forceNextRefresh(account.accountId, outcomes);
  }
  if (update.revoke === true) ctx.codex.credentials.revokeAccount(account.accountId);
  return codexAccountView(ctx, account);
}

/** What /_sim/reset clears on the Codex side: the switches, forced failures and the request records (logins, plans and windows stay). */
export function resetCodex(ctx: SimContext): void {
  Object.assign(ctx.codex.quirks, DEFAULT_QUIRKS);
  ctx.codex.credentials.clearForced();
  ctx.codex.accounts.liftForced();
  ctx.codex.records.clear();
}
