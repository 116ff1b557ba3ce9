/**
 * Models a plan is known to lack, so the pool does not waste an attempt on them. Anything else is
 * learnt: a 404 model_not_found cools that account down for that model for a day.
 */
const FREE_PLAN_MODELS = new Set(['auto', 'gpt-4o-mini', 'gpt-4o', 'text-davinci-002-render-sha']);

export function planAllows(plan: string | null, model: string): boolean {
  if (plan === 'free') return FREE_PLAN_MODELS.has(model);
  return true;
}
