import { priceOf, type ModelPrice, type PriceTable } from '@chatgate/config';
import type { UsageEvent } from '@chatgate/contracts';

export interface Metered {
  promptTokens: number;
  completionTokens: number;
  characters: number;
}

/**
 * Micro-USD for a request: tokens × USD per million is micro-USD as it stands, characters ×
 * USD per thousand × 1000 likewise. Rounded once, to the nearest micro-USD, per request.
 */
export function costMicroUsd(price: ModelPrice, m: Metered): number {
  return Math.round(m.promptTokens * price.prompt + m.completionTokens * price.completion + m.characters * price.characters * 1000);
}

/** What a stored event cost: an event without `upstream` was served by a ChatGPT account, one without `characters` had none. */
export function eventCostMicroUsd(table: PriceTable, e: UsageEvent): number {
  return costMicroUsd(priceOf(table, e.upstream ?? 'chatgpt', e.model), { promptTokens: e.promptTokens, completionTokens: e.completionTokens, characters: e.characters ?? 0 });
}

/** A model priced 0 on its upstream costs nothing and holds nothing: its events need no budget settlement. */
export function isFree(price: ModelPrice): boolean {
  return price.prompt === 0 && price.completion === 0 && price.characters === 0;
}
