import { imagePriceOf, priceOf, type ModelPrice, type PriceTable } from '@chatgate/config';
import type { ImageOrder, UsageEvent } from '@chatgate/contracts';

export interface Metered {
  promptTokens: number;
  completionTokens: number;
  characters: number;
  /** Image generation: how many, of what size and quality. */
  images?: ImageOrder;
}

/**
 * Micro-USD for a request: tokens × USD per million is micro-USD as it stands, characters ×
 * USD per thousand × 1000 likewise, images × USD per image × 1,000,000. The images are an image
 * model's output: when they are priced, its completion (output image) tokens are not priced again.
 * Rounded once, to the nearest micro-USD, per request.
 */
export function costMicroUsd(price: ModelPrice, m: Metered): number {
  const perImage = m.images?.count ? imagePriceOf(price, m.images) : 0;
  const images = m.images?.count ? m.images.count * perImage * 1_000_000 : 0;
  const completion = perImage > 0 ? 0 : m.completionTokens * price.completion;
  return Math.round(m.promptTokens * price.prompt + completion + m.characters * price.characters * 1000 + images);
}

/** The model an event is priced as: the one it reached (`xo1` → `gpt-4o`), as its budget hold was. */
export function pricedModelOf(e: Pick<UsageEvent, 'model' | 'resolvedModel'>): string {
  return e.resolvedModel ?? e.model;
}

/**
 * What a stored event cost: an event without `upstream` was served by a ChatGPT account, one
 * without `characters` had none. A model with no price (possible only for callers without a
 * budget: budgeted ones are refused it) costs 0.
 */
export function eventCostMicroUsd(table: PriceTable, e: UsageEvent): number {
  const price = priceOf(table, e.upstream ?? 'chatgpt', pricedModelOf(e));
  return price ? costMicroUsd(price, { promptTokens: e.promptTokens, completionTokens: e.completionTokens, characters: e.characters ?? 0, images: e.images }) : 0;
}

/** A model priced 0 on its upstream (or not priced) costs nothing and holds nothing: its events need no budget settlement. */
export function isFree(price: ModelPrice | null): boolean {
  if (!price) return true;
  const images = [price.image ?? 0, ...Object.values(price.images ?? {})];
  return price.prompt === 0 && price.completion === 0 && price.characters === 0 && images.every((v) => v === 0);
}
