import { modelMatches } from '../routing/route-model.js';

/** Whether an API key serves a model: any model without a list, else a name or glob of its list. */
export function servesModel(models: readonly string[] | null, model: string): boolean {
  return !models || models.length === 0 || models.some((glob) => modelMatches(glob, model));
}
