import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from './load-config.js';
import { DEFAULT_PLATFORM_PRICE, DEFAULT_PLATFORM_PRICES, imagePriceOf, loadPriceTable, priceOf } from './price-table.js';

const dir = mkdtempSync(join(tmpdir(), 'chatgate-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('price table', () => {
  it('defaults to list prices for API models and to free for ChatGPT accounts', () => {
    const table = loadPriceTable({});
    expect(priceOf(table, 'platform', 'gpt-4o')).toEqual({ prompt: 2.5, completion: 10, characters: 0 });
    expect(priceOf(table, 'platform', 'tts-1-hd')).toEqual({ prompt: 0, completion: 0, characters: 0.03 });
    expect(priceOf(table, 'chatgpt', 'gpt-4o')).toEqual({ prompt: 0, completion: 0, characters: 0 });
  });

  it('matches a dated or suffixed name to its longest listed family, never a shorter one that is listed', () => {
    const table = loadPriceTable({});
    expect(priceOf(table, 'platform', 'gpt-4o-2024-08-06')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o']);
    expect(priceOf(table, 'platform', 'gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o-mini']);
    expect(priceOf(table, 'platform', 'gpt-4.1-nano')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4.1-nano']);
    // A prefix without the dash is another model: not gpt-4o's price, the default for unlisted ones (issue 12: no longer free).
    expect(priceOf(table, 'platform', 'gpt-4omni')).toBe(DEFAULT_PLATFORM_PRICE);
  });

  it('lays the operator entries over the defaults; * prices whatever else; omitted fields are 0', () => {
    const table = loadPriceTable({ PRICE_TABLE: '{"platform": {"gpt-4o": {"prompt": 1}}, "chatgpt": {"*": {"prompt": 0.5, "completion": 2}, "o3": {"completion": 4}}}' });
    expect(priceOf(table, 'platform', 'gpt-4o')).toEqual({ prompt: 1, completion: 0, characters: 0 });
    expect(priceOf(table, 'platform', 'gpt-4o-mini')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o-mini']);
    expect(priceOf(table, 'chatgpt', 'gpt-4o')).toEqual({ prompt: 0.5, completion: 2, characters: 0 });
    expect(priceOf(table, 'chatgpt', 'o3')).toEqual({ prompt: 0, completion: 4, characters: 0 });
  });

  it('prices a platform model no entry names at the conservative default; the operator may change or remove it', () => {
    const table = loadPriceTable({});
    expect(priceOf(table, 'platform', 'gpt-4.5-preview')).toBe(DEFAULT_PLATFORM_PRICE);
    expect(DEFAULT_PLATFORM_PRICE).toEqual({ prompt: 15, completion: 60, characters: 0.03, image: 0.25 });
    // ChatGPT accounts stay free unless listed.
    expect(priceOf(table, 'chatgpt', 'gpt-4.5-preview')).toEqual({ prompt: 0, completion: 0, characters: 0 });
    const cheaper = loadPriceTable({ PRICE_TABLE: '{"platform": {"*": {"prompt": 1, "completion": 2}}}' });
    expect(priceOf(cheaper, 'platform', 'gpt-4.5-preview')).toEqual({ prompt: 1, completion: 2, characters: 0 });
    // "*": null: an unlisted platform model has no price at all (a budgeted caller is refused it); listed ones keep theirs.
    const strict = loadPriceTable({ PRICE_TABLE: 'platform:\n  "*": null\n  gpt-4o: null\n' });
    expect(priceOf(strict, 'platform', 'gpt-4.5-preview')).toBeNull();
    expect(priceOf(strict, 'platform', 'gpt-4o')).toBeNull();
    expect(priceOf(strict, 'platform', 'gpt-4o-mini')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o-mini']);
    expect(priceOf(strict, 'chatgpt', 'gpt-4.5-preview')).toEqual({ prompt: 0, completion: 0, characters: 0 });
  });

  it('never prices a -pro (or realtime, audio, transcribe, search, deep-research) model as its family', () => {
    const table = loadPriceTable({});
    expect(priceOf(table, 'platform', 'o1-pro')).toEqual({ prompt: 150, completion: 600, characters: 0 });
    expect(priceOf(table, 'platform', 'o1-pro-2025-03-19')).toBe(DEFAULT_PLATFORM_PRICES['o1-pro']);
    expect(priceOf(table, 'platform', 'gpt-5-pro')).toEqual({ prompt: 15, completion: 120, characters: 0 });
    expect(priceOf(table, 'platform', 'o3-pro-2025-06-10')).toBe(DEFAULT_PLATFORM_PRICES['o3-pro']);
    for (const model of ['o4-mini-pro', 'gpt-4.1-pro', 'gpt-4o-realtime-preview', 'gpt-4o-audio-preview', 'gpt-4o-mini-transcribe', 'gpt-4o-mini-search']) {
      expect({ model, price: priceOf(table, 'platform', model) }).toEqual({ model, price: DEFAULT_PLATFORM_PRICE });
    }
    // Words that are no product name still follow the family.
    expect(priceOf(table, 'platform', 'gpt-5-2025-08-07')).toBe(DEFAULT_PLATFORM_PRICES['gpt-5']);
    expect(priceOf(table, 'platform', 'gpt-5-codex')).toBe(DEFAULT_PLATFORM_PRICES['gpt-5']);
  });

  it('prices a fine-tune as its base model unless it has an entry of its own', () => {
    const table = loadPriceTable({ PRICE_TABLE: '{"platform": {"ft:gpt-4o-mini-2024-07-18:acme::special": {"prompt": 0.3, "completion": 1.2}}}' });
    expect(priceOf(table, 'platform', 'ft:gpt-4o-mini-2024-07-18:acme::abc123')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o-mini']);
    expect(priceOf(table, 'platform', 'ft:gpt-4.1-2025-04-14:acme:support:xyz')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4.1']);
    expect(priceOf(table, 'platform', 'ft:gpt-4o-mini-2024-07-18:acme::special')).toEqual({ prompt: 0.3, completion: 1.2, characters: 0 });
    // A fine-tune of an unlisted base: the default, as the base would be.
    expect(priceOf(table, 'platform', 'ft:davinci-002:acme::q')).toBe(DEFAULT_PLATFORM_PRICE);
  });

  it('prices images per image by quality and size, the model default when the request names neither', () => {
    const table = loadPriceTable({});
    const dalle3 = priceOf(table, 'platform', 'dall-e-3')!;
    expect(imagePriceOf(dalle3, {})).toBe(0.04);
    expect(imagePriceOf(dalle3, { size: '1024x1024', quality: 'standard' })).toBe(0.04);
    expect(imagePriceOf(dalle3, { size: '1792x1024', quality: 'hd' })).toBe(0.12);
    expect(imagePriceOf(dalle3, { size: '1024x1792' })).toBe(0.08);
    expect(imagePriceOf(dalle3, { quality: 'hd' })).toBe(0.08);
    expect(imagePriceOf(priceOf(table, 'platform', 'dall-e-2')!, { size: '256x256' })).toBe(0.016);
    const gptImage = priceOf(table, 'platform', 'gpt-image-1')!;
    // Quality `auto` (the default) or unknown: the dearest; a size alone: its dearest quality.
    expect(imagePriceOf(gptImage, { quality: 'auto', size: 'auto' })).toBe(0.25);
    expect(imagePriceOf(gptImage, { quality: 'auto', size: '1024x1024' })).toBe(0.167);
    expect(imagePriceOf(gptImage, { quality: 'low', size: '1024x1024' })).toBe(0.011);
    expect(gptImage.prompt).toBe(5);
    expect(imagePriceOf(priceOf(table, 'platform', 'gpt-image-1-mini')!, { quality: 'medium', size: '1536x1024' })).toBe(0.015);
    // An image model no entry names: the default's image price.
    expect(imagePriceOf(priceOf(table, 'platform', 'gpt-image-2')!, { size: '1024x1024' })).toBe(0.25);
    // The operator's own variants, validated like any entry.
    const own = loadPriceTable({ PRICE_TABLE: '{"platform": {"dall-e-3": {"image": 0.05, "images": {"hd 1024x1024": 0.09}}}}' });
    expect(imagePriceOf(priceOf(own, 'platform', 'dall-e-3')!, { size: '1024x1024', quality: 'hd' })).toBe(0.09);
  });

  it('reads YAML from a file', () => {
    const file = join(dir, 'prices.yaml');
    writeFileSync(file, 'chatgpt:\n  gpt-4o: { prompt: 3, completion: 6 }\n');
    expect(priceOf(loadPriceTable({ PRICE_TABLE_FILE: file }), 'chatgpt', 'gpt-4o')).toEqual({ prompt: 3, completion: 6, characters: 0 });
  });

  it('refuses a bad table with one line naming the variable and the field', () => {
    const fault = (env: Parameters<typeof loadPriceTable>[0]) => {
      try {
        loadPriceTable(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fault({ PRICE_TABLE: '{"chatgpt": {"gpt-4o": {"prompt": -1}}}' })).toMatch(/PRICE_TABLE: chatgpt\.gpt-4o\.prompt: /);
    expect(fault({ PRICE_TABLE: '{"chatgpt": {"gpt-4o": {"input": 1}}}' })).toMatch(/PRICE_TABLE: chatgpt\.gpt-4o: .*input/);
    expect(fault({ PRICE_TABLE: '{"azure": {}}' })).toMatch(/PRICE_TABLE: \(table\): .*azure/);
    expect(fault({ PRICE_TABLE: '{"chatgpt": [' })).toMatch(/PRICE_TABLE: not JSON or YAML/);
    expect(fault({ PRICE_TABLE: '{"platform": {"dall-e-3": {"images": {"hd": -1}}}}' })).toMatch(/PRICE_TABLE: platform\.dall-e-3\.images\.hd: /);
    expect(fault({ PRICE_TABLE_FILE: join(dir, 'missing.yaml') })).toMatch(/PRICE_TABLE_FILE .*: cannot read the file \(ENOENT\)/);
    expect(fault({ PRICE_TABLE: '{}', PRICE_TABLE_FILE: 'x' })).toMatch(/not both/);
  });
});
