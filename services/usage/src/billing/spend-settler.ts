import { Inject, Injectable } from '@nestjs/common';
import { priceOf, type PriceTable } from '@chatgate/config';
import { budgetSubjectKey, type UsageEvent } from '@chatgate/contracts';
import type { PricedEvent } from '../events/rollup.js';
import { USAGE_PRICES } from '../usage.config.js';
import { BudgetLedger } from './budget-ledger.js';
import { eventCostMicroUsd, isFree, pricedModelOf } from './cost.js';

/** Every budget an event's spend counts against: its user's and its credential's (a key's budget names its credential). */
export function budgetSubjectsOf(e: Pick<UsageEvent, 'tenantId' | 'userId' | 'credentialId'>): string[] {
  const subjects = [budgetSubjectKey('key', e.tenantId, e.credentialId)];
  if (e.userId) subjects.unshift(budgetSubjectKey('user', e.tenantId, e.userId));
  return subjects;
}

/**
 * Prices events as they are stored, and settles budgets once they are: each request's holds are
 * replaced by its real cost. Events of models that cost nothing on their upstream never touched a
 * budget (their hold was 0) and skip Redis entirely.
 */
@Injectable()
export class SpendSettler {
  constructor(
    private readonly ledger: BudgetLedger,
    @Inject(USAGE_PRICES) private readonly prices: PriceTable,
  ) {}

  price(events: readonly UsageEvent[]): PricedEvent[] {
    return events.map((e) => ({ ...e, costMicroUsd: eventCostMicroUsd(this.prices, e) }));
  }

  /** Idempotent per request id: a redelivered batch adds nothing twice. */
  async settle(events: readonly PricedEvent[]): Promise<void> {
    const priced = events.filter((e) => !isFree(priceOf(this.prices, e.upstream ?? 'chatgpt', pricedModelOf(e))));
    await Promise.all(priced.map((e) => this.ledger.settle(e.requestId, e.costMicroUsd ?? 0, budgetSubjectsOf(e), e.at)));
  }
}
