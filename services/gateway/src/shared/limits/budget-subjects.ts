import { budgetSubjectKey, MICRO_USD_PER_USD, type BudgetTake, type Principal } from '@chatgate/contracts';

/** The principal's budgets as the usage service checks them: a user's budget on the user, a key's on its credential. */
export function budgetChecksOf(principal: Principal): BudgetTake['subjects'] {
  return (principal.budgets ?? []).flatMap((b) => {
    const id = b.scope === 'user' ? principal.userId : principal.credentialId;
    if (!id) return [];
    return [{ scope: b.scope, key: budgetSubjectKey(b.scope, principal.tenantId, id), amountMicroUsd: Math.round(b.amountUsd * MICRO_USD_PER_USD), period: b.period }];
  });
}
