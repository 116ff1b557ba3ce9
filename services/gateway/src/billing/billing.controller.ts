import { Controller, Get, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { USAGE_BILLING_SPEND, billingSpendSchema, type BillingSpendRequest, type Principal, type PrincipalBudget } from '@chatgate/contracts';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { UsageBusClient } from '../shared/bus/usage-bus.client.js';
import { parseBillingRange } from './billing-range.js';

/** What a caller without a budget is told its limit is: large, as OpenAI's own answers are. */
export const NO_BUDGET_LIMIT_USD = 100_000_000;
/** `access_until` for a credential that never expires: 2100-01-01. */
export const NEVER_EXPIRES_SEC = 4_102_444_800;
const MICRO_USD_PER_CENT = 10_000;

/**
 * The budget a caller is shown: the key's own when it has one (the most specific), else the user's.
 * Usage is summed over the same subject: that key, else the user (all their credentials), else
 * the credential (a pool code or a raw ChatGPT token).
 */
export function billingViewOf(principal: Principal): { budget: PrincipalBudget | null; spend: Pick<BillingSpendRequest, 'scope' | 'id'> } {
  const budgets = principal.budgets ?? [];
  const key = budgets.find((b) => b.scope === 'key');
  const user = budgets.find((b) => b.scope === 'user');
  if (key || !principal.userId) return { budget: key ?? null, spend: { scope: 'credential', id: principal.credentialId } };
  return { budget: user ?? null, spend: { scope: 'user', id: principal.userId } };
}

const cents = (microUsd: number) => microUsd / MICRO_USD_PER_CENT;

/**
 * OpenAI's legacy billing endpoints, answered for the caller's own credential, so chat UIs that
 * show a balance (ChatGPT-Next-Web and the like) show the caller's budget and spend.
 */
@Controller()
export class BillingController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly usage: UsageBusClient,
  ) {}

  @Get(['v1/dashboard/billing/subscription', 'dashboard/billing/subscription'])
  async subscription(@Req() req: FastifyRequest) {
    const principal = await this.credentials.resolve(bearerFrom(req.headers.authorization), undefined, req.ip);
    const { budget } = billingViewOf(principal);
    const limit = budget ? budget.amountUsd : NO_BUDGET_LIMIT_USD;
    return {
      object: 'billing_subscription',
      has_payment_method: true,
      hard_limit_usd: limit,
      soft_limit_usd: limit,
      system_hard_limit_usd: limit,
      access_until: principal.accessUntil ? Math.floor(principal.accessUntil / 1000) : NEVER_EXPIRES_SEC,
    };
  }

  /** `total_usage` in US cents for `[start_date, end_date)`, with the days that had any. */
  @Get(['v1/dashboard/billing/usage', 'dashboard/billing/usage'])
  async spend(@Req() req: FastifyRequest, @Query() query: { start_date?: unknown; end_date?: unknown }) {
    const principal = await this.credentials.resolve(bearerFrom(req.headers.authorization), undefined, req.ip);
    const { from, to } = parseBillingRange(query);
    const request: BillingSpendRequest = { tenantId: principal.tenantId, ...billingViewOf(principal).spend, from, to };
    const spend = await this.usage.query(USAGE_BILLING_SPEND, request, billingSpendSchema);
    return {
      object: 'list',
      daily_costs: spend.days.map((d) => ({ timestamp: d.day / 1000, line_items: [{ name: 'All models', cost: cents(d.microUsd) }] })),
      total_usage: cents(spend.totalMicroUsd),
    };
  }
}
