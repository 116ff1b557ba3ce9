import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { BudgetPeriod } from '@chatgate/contracts';
import { REDIS } from '@chatgate/service-kit/redis';
import { sharedHashTag } from '../redis-hash-tag.js';
import { BUDGET_SETTLE_LUA, BUDGET_TAKE_LUA } from './budget.lua.js';
import { periodKey } from './budget-period.js';
import { RedisScripts } from '../redis-scripts.js';

/** A hold lapses after this long without its usage event (a worker that died mid-request). */
export const HOLD_TTL_MS = 3_600_000;
/** A redelivered event within this long adds its cost once. JetStream redelivers within minutes. */
const SETTLED_MARKER_TTL_MS = 24 * 3_600_000;
/** Day and month counters outlive their period by a little (read only while it runs). */
const DAY_COUNTER_TTL_MS = 3 * 24 * 3_600_000;
const MONTH_COUNTER_TTL_MS = 63 * 24 * 3_600_000;

export interface BudgetCheck {
  /** `budgetSubjectKey(scope, tenant, id)`. */
  key: string;
  amountMicroUsd: number;
  period: BudgetPeriod;
}

/** Optional provider: the ledger's clock (tests move it across a day or month boundary). */
export const BUDGET_CLOCK = Symbol('BUDGET_CLOCK');

export type HoldResult = { allowed: true } | { allowed: false; refusedBy: number };

/**
 * A subject's keys: `budgetSubjectKey` names the tenant second (`user:<tenant>:<id>`); in Redis the
 * tenant is the hash tag (`user:{<tenant>}:<id>`), so all budget keys of a tenant share a slot.
 */
const base = (subject: string) => `chatgate:billing:${subject.replace(/^([^:]+):([^:{}]+):/, '$1:{$2}:')}`;
export const spentKey = (subject: string, period: string) => `${base(subject)}:spent:${period}`;
export const holdKeys = (subject: string) => ({ held: `${base(subject)}:held`, hold: `${base(subject)}:hold` });
/** Marks a request as settled; in its subjects' slot (their tenant's tag). */
export const settledKey = (tag: string, requestId: string) => `chatgate:billing:settled:{${tag}}:${requestId}`;

/**
 * Budgets as holds and spend counters in Redis (see budget.lua.ts). The usage service's clock
 * names the period; Redis's clock times the holds. Every key one script touches carries the same
 * tenant hash tag, so the scripts run on Redis Cluster too (see redis-hash-tag.ts).
 */
@Injectable()
export class BudgetLedger {
  private readonly scripts: RedisScripts;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() @Inject(BUDGET_CLOCK) clock?: () => number,
  ) {
    this.clock = clock ?? Date.now;
    this.scripts = new RedisScripts(redis);
  }

  private readonly clock: () => number;

  /** Holds `holdMicroUsd` in every budget, or refuses naming the first budget without room (index into `budgets`). */
  async hold(requestId: string, holdMicroUsd: number, budgets: readonly BudgetCheck[]): Promise<HoldResult> {
    const now = this.clock();
    const keys = budgets.flatMap((b) => [holdKeys(b.key).held, holdKeys(b.key).hold, spentKey(b.key, periodKey(b.period, now))]);
    const args = [requestId, holdMicroUsd, HOLD_TTL_MS, budgets.length, ...budgets.map((b) => b.amountMicroUsd)];
    const [allowed, refusedBy] = (await this.run(BUDGET_TAKE_LUA, keys, args)) as [number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, refusedBy: refusedBy - 1 };
  }

  /**
   * The request's real cost replaces its holds, in the period of `at` (when it ended). Idempotent
   * per request id. Cost 0 only gives the holds back (an error, a job no worker took).
   */
  async settle(requestId: string, costMicroUsd: number, subjects: readonly string[], at = this.clock()): Promise<boolean> {
    if (!subjects.length) return false;
    const keys = [settledKey(sharedHashTag(subjects.map(base)), requestId)];
    for (const s of subjects) keys.push(holdKeys(s).held, holdKeys(s).hold, spentKey(s, periodKey('day', at)), spentKey(s, periodKey('month', at)), spentKey(s, periodKey('none', at)));
    const args = [requestId, Math.round(costMicroUsd), SETTLED_MARKER_TTL_MS, subjects.length, DAY_COUNTER_TTL_MS, MONTH_COUNTER_TTL_MS];
    return (await this.run(BUDGET_SETTLE_LUA, keys, args)) === 1;
  }

  /** Spent in the current period (micro-USD), holds not included. */
  async spent(subject: string, period: BudgetPeriod): Promise<number> {
    return Number((await this.redis.get(spentKey(subject, periodKey(period, this.clock())))) ?? 0);
  }

  /** A budget script, its keys checked to share one tenant's hash tag first. */
  private async run(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    // Refused here rather than by a cluster: a subject without its tenant tag, or two tenants in one call.
    sharedHashTag(keys);
    return this.scripts.run(script, keys, args);
  }
}
