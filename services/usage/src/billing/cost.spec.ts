import { describe, expect, it } from '@jest/globals';
import { loadPriceTable, priceOf } from '@chatgate/config';
import type { UsageEvent } from '@chatgate/contracts';
import { costMicroUsd, eventCostMicroUsd, isFree } from './cost.js';

const event = (extra: Partial<UsageEvent>): UsageEvent => ({
  requestId: 'r', tenantId: 't', userId: 'u', userName: 'alice', credentialId: 'c', accountId: null, accountLabel: null, model: 'gpt-4o', kind: 'chat',
  promptTokens: 0, completionTokens: 0, estimated: true, outcome: 'ok', status: 200, latencyMs: 1, at: 0, ...extra,
});

describe('cost', () => {
  it('is tokens × USD per million in micro-USD, and characters × USD per thousand', () => {
    expect(costMicroUsd({ prompt: 2.5, completion: 10, characters: 0 }, { promptTokens: 1000, completionTokens: 200, characters: 0 })).toBe(2500 + 2000);
    expect(costMicroUsd({ prompt: 0, completion: 0, characters: 0.015 }, { promptTokens: 0, completionTokens: 0, characters: 2000 })).toBe(30_000);
    // Rounded once per request, to the nearest micro-USD.
    expect(costMicroUsd({ prompt: 0.15, completion: 0.6, characters: 0 }, { promptTokens: 7, completionTokens: 1, characters: 0 })).toBe(2);
  });

  it('prices an event by the upstream that served it: ChatGPT accounts are free unless the table says otherwise', () => {
    const table = loadPriceTable({ PRICE_TABLE: '{"chatgpt": {"o3": {"prompt": 1, "completion": 3}}}' });
    expect(eventCostMicroUsd(table, event({ promptTokens: 1_000_000, completionTokens: 1_000_000 }))).toBe(0);
    expect(eventCostMicroUsd(table, event({ upstream: 'platform', promptTokens: 1_000_000, completionTokens: 100_000 }))).toBe(2_500_000 + 1_000_000);
    expect(eventCostMicroUsd(table, event({ model: 'o3', promptTokens: 10, completionTokens: 10 }))).toBe(40);
    // A name variant is priced as the model it reached, as its budget hold was: no cheaper by another name.
    expect(eventCostMicroUsd(table, event({ model: 'my-o3-ish', resolvedModel: 'o3', promptTokens: 10, completionTokens: 10 }))).toBe(40);
    expect(eventCostMicroUsd(table, event({ upstream: 'platform', model: 'tts-1', kind: 'speech', characters: 1500 }))).toBe(22_500);
  });

  it('prices images per image, their output tokens not again; a model without a price costs 0', () => {
    const table = loadPriceTable({ PRICE_TABLE: '{"platform": {"mystery-model": null, "*": null}}' });
    const image = (extra: Partial<UsageEvent>) => event({ upstream: 'platform', kind: 'image', ...extra });
    expect(eventCostMicroUsd(table, image({ model: 'dall-e-3', images: { count: 3 } }))).toBe(3 * 40_000);
    expect(eventCostMicroUsd(table, image({ model: 'dall-e-3', images: { count: 1, size: '1024x1792', quality: 'hd' } }))).toBe(120_000);
    // gpt-image-1: 7 text tokens at 5 USD per million, the image at its quality and size, not its 4160 output tokens.
    expect(eventCostMicroUsd(table, image({ model: 'gpt-image-1', promptTokens: 7, completionTokens: 4160, images: { count: 1, size: '1024x1024', quality: 'high' } }))).toBe(35 + 167_000);
    // An image event without images (the request failed) costs its tokens only.
    expect(eventCostMicroUsd(table, image({ model: 'dall-e-3' }))).toBe(0);
    expect(eventCostMicroUsd(table, event({ upstream: 'platform', model: 'mystery-model', promptTokens: 1_000_000 }))).toBe(0);
    expect(isFree(priceOf(table, 'platform', 'mystery-model'))).toBe(true);
    expect(isFree(priceOf(table, 'platform', 'dall-e-2'))).toBe(false);
  });
});
