import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from './load-config.js';
import { DEFAULT_PLATFORM_PRICES, loadPriceTable, priceOf } from './price-table.js';

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
    // A prefix without the dash is another model.
    expect(priceOf(table, 'platform', 'gpt-4omni')).toEqual({ prompt: 0, completion: 0, characters: 0 });
  });

  it('lays the operator entries over the defaults; * prices whatever else; omitted fields are 0', () => {
    const table = loadPriceTable({ PRICE_TABLE: '{"platform": {"gpt-4o": {"prompt": 1}}, "chatgpt": {"*": {"prompt": 0.5, "completion": 2}, "o3": {"completion": 4}}}' });
    expect(priceOf(table, 'platform', 'gpt-4o')).toEqual({ prompt: 1, completion: 0, characters: 0 });
    expect(priceOf(table, 'platform', 'gpt-4o-mini')).toBe(DEFAULT_PLATFORM_PRICES['gpt-4o-mini']);
    expect(priceOf(table, 'chatgpt', 'gpt-4o')).toEqual({ prompt: 0.5, completion: 2, characters: 0 });
    expect(priceOf(table, 'chatgpt', 'o3')).toEqual({ prompt: 0, completion: 4, characters: 0 });
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
    expect(fault({ PRICE_TABLE_FILE: join(dir, 'missing.yaml') })).toMatch(/PRICE_TABLE_FILE .*: cannot read the file \(ENOENT\)/);
    expect(fault({ PRICE_TABLE: '{}', PRICE_TABLE_FILE: 'x' })).toMatch(/not both/);
  });
});
