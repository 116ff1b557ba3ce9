import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './load-config.js';

/**
 * What one model costs. Tokens are priced per million (as OpenAI lists them), speech per thousand
 * characters of input text, image generation per image. With these units, tokens × USD-per-million
 * is micro-USD exactly.
 */
export const modelPriceSchema = z.strictObject({
  /** USD per 1,000,000 prompt tokens. */
  prompt: z.number().nonnegative().default(0),
  /** USD per 1,000,000 completion tokens (reasoning included). */
  completion: z.number().nonnegative().default(0),
  /** USD per 1,000 characters (speech). */
  characters: z.number().nonnegative().default(0),
  /** USD per generated image when no entry of `images` names the request's quality and size. */
  image: z.number().nonnegative().optional(),
  /** USD per image by `"<quality> <size>"` (`"hd 1024x1792"`), else `"<size>"`, else `"<quality>"`, as the request names them. */
  images: z.record(z.string().min(1), z.number().nonnegative()).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** An operator's entry may be null: the model (or `*`, the default) then has no price of its own. */
const modelPricesSchema = z.record(z.string().min(1), modelPriceSchema.nullable());

/**
 * `platform`: requests served with an OpenAI API key; `chatgpt`: requests served by a ChatGPT
 * account; `codex`: requests served by a Codex login (a ChatGPT subscription, like `chatgpt` free
 * unless listed). How a name matches is priceOf's.
 */
export const priceTableSchema = z.strictObject({
  platform: modelPricesSchema.default({}),
  chatgpt: modelPricesSchema.default({}),
  codex: modelPricesSchema.default({}),
});
/** The table as the operator writes it (null entries remove a default). */
export type PriceTableInput = z.infer<typeof priceTableSchema>;
/** The table in force: the defaults with the operator's entries laid over them. */
export interface PriceTable {
  platform: Record<string, ModelPrice>;
  chatgpt: Record<string, ModelPrice>;
  codex: Record<string, ModelPrice>;
}

const p = (prompt: number, completion: number): ModelPrice => ({ prompt, completion, characters: 0 });
const speech = (characters: number): ModelPrice => ({ prompt: 0, completion: 0, characters });
/** Priced per image: `image` for the model's default request, `images` by quality and size; prompt tokens (gpt-image) on top. */
const perImage = (image: number, images: Record<string, number>, prompt = 0): ModelPrice => ({ prompt, completion: 0, characters: 0, image, images });

/**
 * What a platform model no entry names costs: as much as o1 per token (more than any listed model
 * but o1-pro and gpt-5-pro), tts-1-hd per character, gpt-image-1 at its largest per image. A
 * budget then holds too much rather than too little; an operator who wants another default sets
 * `"*"`, and `"*": null` leaves unknown models unpriced (refused to budgeted callers).
 */
export const DEFAULT_PLATFORM_PRICE: ModelPrice = { prompt: 15, completion: 60, characters: 0.03, image: 0.25 };

/**
 * OpenAI's public list prices (standard tier, USD; checked November 2025). gpt-4o-mini-tts is
 * billed by audio tokens; 0.015 per 1,000 characters is OpenAI's own estimate ($0.015 a minute,
 * about a thousand characters of speech). Image models: OpenAI's per-image prices by quality and
 * size (gpt-image's are its output tokens at that quality and size); a size without a quality is
 * its dearest quality, `image` the model's default request (dall-e) or its dearest (gpt-image,
 * whose default quality is `auto`). Token prices of the search previews leave out the per-call
 * search fee. ChatGPT-account usage is free unless the table says so.
 */
export const DEFAULT_PLATFORM_PRICES: Readonly<Record<string, ModelPrice>> = {
  '*': DEFAULT_PLATFORM_PRICE,
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
  // Not their family's price: a `-pro` or deep-research model costs many times its base.
  'o1-pro': p(150, 600),
  'o3-pro': p(20, 80),
  'gpt-5-pro': p(15, 120),
  'o3-deep-research': p(10, 40),
  'o4-mini-deep-research': p(2, 8),
  'gpt-4o-search-preview': p(2.5, 10),
  'gpt-4o-mini-search-preview': p(0.15, 0.6),
  'dall-e-2': perImage(0.02, { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 }),
  'dall-e-3': perImage(0.04, {
    'standard 1024x1024': 0.04,
    'standard 1024x1792': 0.08,
    'standard 1792x1024': 0.08,
    'hd 1024x1024': 0.08,
    'hd 1024x1792': 0.12,
    'hd 1792x1024': 0.12,
    '1024x1792': 0.08,
    '1792x1024': 0.08,
    hd: 0.08,
  }),
  'gpt-image-1': perImage(
    0.25,
    {
      'low 1024x1024': 0.011,
      'low 1024x1536': 0.016,
      'low 1536x1024': 0.016,
      'medium 1024x1024': 0.042,
      'medium 1024x1536': 0.063,
      'medium 1536x1024': 0.063,
      'high 1024x1024': 0.167,
      'high 1024x1536': 0.25,
      'high 1536x1024': 0.25,
      '1024x1024': 0.167,
      low: 0.016,
      medium: 0.063,
    },
    5,
  ),
  'gpt-image-1-mini': perImage(
    0.052,
    {
      'low 1024x1024': 0.005,
      'low 1024x1536': 0.006,
      'low 1536x1024': 0.006,
      'medium 1024x1024': 0.011,
      'medium 1024x1536': 0.015,
      'medium 1536x1024': 0.015,
      'high 1024x1024': 0.036,
      'high 1024x1536': 0.052,
      'high 1536x1024': 0.052,
      '1024x1024': 0.036,
      low: 0.006,
      medium: 0.015,
    },
    2,
  ),
};

/** Entries with a price; a null entry removes the one it names. */
function priced(entries: Record<string, ModelPrice | null>): Record<string, ModelPrice> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, ModelPrice] => e[1] !== null));
}

/** The defaults with the operator's entries over them (an entry replaces the default for its model; null removes it). */
export function buildPriceTable(operator: PriceTableInput = { platform: {}, chatgpt: {}, codex: {} }): PriceTable {
  return { platform: priced({ ...DEFAULT_PLATFORM_PRICES, ...operator.platform }), chatgpt: priced({ ...operator.chatgpt }), codex: priced({ ...operator.codex }) };
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

/**
 * Suffix words that make another product of a family (`o1-pro`, `gpt-4o-realtime-preview`,
 * `gpt-4o-mini-transcribe`): such a name never takes its family's price, only its own entry's or
 * the default's.
 */
const OTHER_PRODUCT = new Set(['pro', 'realtime', 'audio', 'transcribe', 'tts', 'search', 'deep', 'image']);

/** The entry for `model` itself or its family: `gpt-4o-2024-08-06` → `gpt-4o` (the longest listed name it continues with `-`). */
function listedPrice(prices: Record<string, ModelPrice>, model: string): ModelPrice | undefined {
  const exact = prices[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const name of Object.keys(prices)) {
    if (name === '*' || !model.startsWith(`${name}-`) || (best !== undefined && name.length <= best.length)) continue;
    if (model.slice(name.length + 1).split(/[-:]/).some((word) => OTHER_PRODUCT.has(word))) continue;
    best = name;
  }
  return best !== undefined ? prices[best] : undefined;
}

/** `ft:gpt-4o-mini-2024-07-18:acme::abc123` → `gpt-4o-mini-2024-07-18`; null for a name that is no fine-tune. */
function fineTuneBase(model: string): string | null {
  const [prefix, base] = model.split(':');
  return prefix === 'ft' && base ? base : null;
}

/**
 * The price of a model on an upstream kind: its own entry; else its family's (`gpt-4o-2024-08-06`
 * → `gpt-4o`, never across a word of OTHER_PRODUCT); a fine-tune (`ft:<base>:…`) with no entry of
 * its own as its base model; else `*`. With none of these a subscription's model (ChatGPT or Codex
 * account) is free and a platform model has no price (null): a budgeted caller is refused it.
 */
export function priceOf(table: PriceTable, upstream: keyof PriceTable, model: string): ModelPrice | null {
  const prices = table[upstream];
  const base = fineTuneBase(model);
  const named = listedPrice(prices, model) ?? (base !== null ? listedPrice(prices, base) : undefined);
  return named ?? prices['*'] ?? (upstream === 'platform' ? null : FREE);
}

/** USD per image for an image request's quality and size (see modelPriceSchema). */
export function imagePriceOf(price: ModelPrice, order: { size?: string; quality?: string }): number {
  const { size, quality } = order;
  for (const key of [size && quality ? `${quality} ${size}` : undefined, size, quality]) {
    if (key !== undefined && price.images?.[key] !== undefined) return price.images[key];
  }
  return price.image ?? 0;
}
