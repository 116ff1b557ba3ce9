import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './load-config.js';

/**
 * What one model costs. Tokens are priced per million (as OpenAI lists them), speech per thousand
 * characters of input text. With these units, tokens × USD-per-million is micro-USD exactly.
 */
export const modelPriceSchema = z.strictObject({
  /** USD per 1,000,000 prompt tokens. */
  prompt: z.number().nonnegative().default(0),
  /** USD per 1,000,000 completion tokens (reasoning included). */
  completion: z.number().nonnegative().default(0),
  /** USD per 1,000 characters (speech). */
  characters: z.number().nonnegative().default(0),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

const modelPricesSchema = z.record(z.string().min(1), modelPriceSchema);

/**
 * `platform`: requests served with an OpenAI API key; `chatgpt`: requests served by a ChatGPT
 * account. A model name matches exactly, else the longest entry it starts with followed by `-`
 * (`gpt-4o-2024-08-06` → `gpt-4o`), else `*`, else it is free.
 */
export const priceTableSchema = z.strictObject({
  platform: modelPricesSchema.default({}),
  chatgpt: modelPricesSchema.default({}),
});
export type PriceTable = z.infer<typeof priceTableSchema>;

const p = (prompt: number, completion: number): ModelPrice => ({ prompt, completion, characters: 0 });
const speech = (characters: number): ModelPrice => ({ prompt: 0, completion: 0, characters });

/**
 * OpenAI's public list prices (standard tier, USD; checked November 2025). gpt-4o-mini-tts is
 * billed by audio tokens; 0.015 per 1,000 characters is OpenAI's own estimate ($0.015 a minute,
 * about a thousand characters of speech). ChatGPT-account usage is free unless the table says so.
 */
export const DEFAULT_PLATFORM_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': p(1.25, 10),
  'gpt-5-mini': p(0.25, 2),
  'gpt-5-nano': p(0.05, 0.4),
  'gpt-4.1': p(2, 8),
  'gpt-4.1-mini': p(0.4, 1.6),
  'gpt-4.1-nano': p(0.1, 0.4),
  'gpt-4o': p(2.5, 10),
  'gpt-4o-mini': p(0.15, 0.6),
  'chatgpt-4o-latest': p(5, 15),
  'gpt-4-turbo': p(10, 30),
  'gpt-4': p(30, 60),
  'gpt-3.5-turbo': p(0.5, 1.5),
  o1: p(15, 60),
  'o1-mini': p(1.1, 4.4),
  o3: p(2, 8),
  'o3-mini': p(1.1, 4.4),
  'o4-mini': p(1.1, 4.4),
  'text-embedding-3-small': p(0.02, 0),
  'text-embedding-3-large': p(0.13, 0),
  'text-embedding-ada-002': p(0.1, 0),
  'tts-1': speech(0.015),
  'tts-1-hd': speech(0.03),
  'gpt-4o-mini-tts': speech(0.015),
};

/** The defaults with the operator's entries over them (an entry replaces the default for its model). */
export function buildPriceTable(operator: PriceTable = { platform: {}, chatgpt: {} }): PriceTable {
  return { platform: { ...DEFAULT_PLATFORM_PRICES, ...operator.platform }, chatgpt: { ...operator.chatgpt } };
}

/**
 * The price table from `PRICE_TABLE` (JSON or YAML text) or `PRICE_TABLE_FILE` (a JSON or YAML
 * file), validated at boot: a fault stops the service with one line naming the variable and field.
 */
export function loadPriceTable(env: { PRICE_TABLE?: string; PRICE_TABLE_FILE?: string }): PriceTable {
  if (env.PRICE_TABLE !== undefined && env.PRICE_TABLE_FILE !== undefined) throw new ConfigError(['PRICE_TABLE, PRICE_TABLE_FILE: give one of them, not both']);
  let source: string;
  let text: string | undefined;
  if (env.PRICE_TABLE_FILE !== undefined) {
    source = `PRICE_TABLE_FILE (${env.PRICE_TABLE_FILE})`;
    try {
      text = readFileSync(env.PRICE_TABLE_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError([`${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  } else {
    source = 'PRICE_TABLE';
    text = env.PRICE_TABLE;
  }
  if (text === undefined) return buildPriceTable();
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError([`${source}: not JSON or YAML (${(err as Error).message.split('\n')[0]})`]);
  }
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(table)'}: ${i.message}`));
  return buildPriceTable(parsed.data);
}

const FREE: ModelPrice = { prompt: 0, completion: 0, characters: 0 };

/** The price of a model on an upstream kind (see priceTableSchema for how names match). */
export function priceOf(table: PriceTable, upstream: 'chatgpt' | 'platform', model: string): ModelPrice {
  const prices = table[upstream];
  const exact = prices[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const name of Object.keys(prices)) {
    if (name !== '*' && model.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
  }
  return (best !== undefined ? prices[best] : prices['*']) ?? FREE;
}
