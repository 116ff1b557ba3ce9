import { Inject, Injectable } from '@nestjs/common';
import { priceOf, type PriceTable } from '@chatgate/config';
import type { LimitReleaseRequest, LimitTakeReply, LimitTakeRequest } from '@chatgate/contracts';
import { LimitWindow } from '../limits/limit-window.js';
import { RateWindow } from '../rates/rate-window.js';
import { USAGE_PRICES } from '../usage.config.js';
import { BudgetLedger } from './budget-ledger.js';
import { costMicroUsd } from './cost.js';

type Admitted = Extract<LimitTakeReply, { ok: true }>;

/**
 * The chat path's one hop: a slot in the model limits, then the key's RPM/TPM, then a hold in the
 * budgets. A request refused by a later step gives what the earlier ones took straight back
 * (between the steps another request may briefly see it taken; each step itself is exact). A
 * budgeted request for a model the price table cannot price is refused first (`unpriced`).
 */
@Injectable()
export class Admission {
  constructor(
    private readonly limits: LimitWindow,
    private readonly rates: RateWindow,
    private readonly ledger: BudgetLedger,
    @Inject(USAGE_PRICES) private readonly prices: PriceTable,
  ) {}

  async take(req: LimitTakeRequest): Promise<Admitted> {
    // A budget cannot hold what has no price: refused before any slot is taken.
    const price = req.budget ? priceOf(this.prices, req.budget.upstream, req.budget.model ?? req.model) : null;
    if (req.budget && !price) return { ok: true, allowed: false, retryAfterMs: 0, unpriced: true };
    if (req.windows.length) {
      const slot = await this.limits.take(req);
      if (!slot.allowed) return { ok: true, allowed: false, retryAfterMs: slot.retryAfterMs };
    }
    if (req.rate) {
      const rate = await this.rates.take(req.tenantId, req.requestId, req.rate);
      if (!rate.allowed) {
        if (req.windows.length) await this.limits.release(req);
        const limit = (rate.by === 'requests' ? req.rate.rpm : req.rate.tpm) ?? 0;
        return { ok: true, allowed: false, retryAfterMs: rate.retryAfterMs, rate: { by: rate.by, limit, ...(rate.tooLarge ? { tooLarge: true as const } : {}) } };
      }
    }
    if (!req.budget || !price) return { ok: true, allowed: true };
    const { budget } = req;
    const hold = costMicroUsd(price, { promptTokens: budget.promptTokens, completionTokens: budget.maxCompletionTokens, characters: budget.characters, images: budget.images });
    const held = await this.ledger.hold(req.requestId, hold, budget.subjects);
    if (held.allowed) return { ok: true, allowed: true };
    await Promise.all([req.windows.length ? this.limits.release(req) : undefined, req.rate ? this.rates.release(req.tenantId, req.rate.subject, req.requestId) : undefined]);
    const refusing = budget.subjects[held.refusedBy];
    return { ok: true, allowed: false, retryAfterMs: 0, quota: { scope: refusing.scope, period: refusing.period } };
  }

  /** A job no worker took: its limit slot, its rate entry and its holds go back. */
  async release(req: LimitReleaseRequest): Promise<boolean> {
    const [slot] = await Promise.all([
      this.limits.release(req),
      req.rateSubject ? this.rates.release(req.tenantId, req.rateSubject, req.requestId) : undefined,
      this.ledger.settle(req.requestId, 0, req.budgetSubjects ?? []),
    ]);
    return slot;
  }
}
