import { z } from 'zod';

/** A budget's period: spend counts per UTC day, per UTC calendar month, or for ever (`none`). */
export const budgetPeriodSchema = z.enum(['day', 'month', 'none']);
export type BudgetPeriod = z.infer<typeof budgetPeriodSchema>;

/** At most `amountUsd` of spend (the price table applied to usage) per period. */
export const budgetSchema = z.object({
  amountUsd: z.number().nonnegative().max(1_000_000_000),
  period: budgetPeriodSchema,
});
export type Budget = z.infer<typeof budgetSchema>;

/** Whose spend a budget caps: the user's (every key and mirror token of the user) or the one key's. */
export const budgetScopeSchema = z.enum(['user', 'key']);
export type BudgetScope = z.infer<typeof budgetScopeSchema>;

/** A budget as the principal carries it. */
export const principalBudgetSchema = budgetSchema.extend({ scope: budgetScopeSchema });
export type PrincipalBudget = z.infer<typeof principalBudgetSchema>;

// Which kind of upstream served a request (prices differ: ChatGPT accounts 0 unless set, API keys list
// prices) is the routing table's own `upstreamKindSchema`, re-exported here for billing's readers.
export { upstreamKindSchema, type UpstreamKind } from '../routing/upstream-kind.js';

/** Spend is kept in integer micro-USD (1 USD = 1,000,000), so sums are exact. */
export const MICRO_USD_PER_USD = 1_000_000;

/**
 * The Redis/ledger name of a budget's subject: spend and holds of a user, or of one key, in a tenant.
 * The key's id is its credential id (`key_<uuid>`), as usage events carry it.
 */
export function budgetSubjectKey(scope: BudgetScope, tenantId: string, id: string): string {
  return `${scope}:${tenantId}:${id}`;
}
