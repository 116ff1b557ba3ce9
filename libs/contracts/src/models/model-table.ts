import { z } from 'zod';
import type { BusError } from '../common/openai-error.js';
import { invalidValue, requestFailure } from '../failures/request-failures.js';

/** One rule of the mapping table: a client model name `match` (or `match-…`) goes to upstream `slug`. */
export interface ModelRule {
  match: string;
  slug: string;
  /** The name /v1/models lists for this rule (defaults to `match`). */
  listAs?: string;
}

/** chat2api's table (compat-surface.md), matched by whole name or `name-…` prefix (see ModelTable). */
export const DEFAULT_MODEL_RULES: readonly ModelRule[] = [
  'o3-mini-high', 'o3-mini-medium', 'o3-mini-low', 'o3-mini', 'o3', 'o1-preview', 'o1-pro', 'o1-mini', 'o1',
  'gpt-4.5o', 'gpt-4o-canmore', 'gpt-4o-mini', 'gpt-4o', 'gpt-4-mobile', 'gpt-4',
].map((name): ModelRule => ({ match: name, slug: name }))
  .concat([
    { match: 'gpt-3.5', slug: 'text-davinci-002-render-sha', listAs: 'gpt-3.5-turbo' },
    { match: 'auto', slug: 'auto' },
  ]);

/**
 * Whether an upstream slug is a reasoning model, whose `max_tokens` counts its reasoning as OpenAI's
 * `max_completion_tokens` does (o-series, gpt-5 and its thinking variants). For the others (gpt-4o,
 * gpt-4.1, `auto`…) the limit is the answer's: reasoning the upstream shows anyway does not spend it.
 */
export function isReasoningSlug(slug: string): boolean {
  const s = slug.toLowerCase();
  if (/^o\d/.test(s)) return true;
  if (s.includes('thinking')) return true;
  return /^gpt-5/.test(s) && !/(instant|chat)/.test(s);
}

export interface ResolvedModel {
  slug: string;
  /** Set for GPTs: the conversation runs in gizmo mode with this id. */
  gizmoId: string | null;
}

/**
 * How a client's name reached its upstream model: by a rule of the table, as a GPT (gizmo mode on
 * the default model), or as an unknown but plausible name sent to the default model.
 */
export type ModelResolution = ({ ok: true; by: 'rule' | 'gizmo' | 'default' } & ResolvedModel) | { ok: false; failure: BusError };

/** What a model name may be made of: every OpenAI and ChatGPT model name (`gpt-4o-2024-08-06`, `o3-mini-high`, `g-abc123`). */
const PLAUSIBLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** What separates the words of a name, for telling `my-o1` (contains the name o1) from `xo1` (does not). */
const SEPARATORS = new Set(['-', '_', ':']);

const extraRulesSchema = z.record(z.string().min(1), z.string().min(1));

/** MODEL_MAP (`{"name": "upstream slug"}`), checked at start so a bad entry stops the service with its name. */
export function parseModelMap(json: string | undefined): ModelRule[] {
  if (!json?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('MODEL_MAP: not JSON (expected an object of model name → upstream slug)');
  }
  const rules = extraRulesSchema.safeParse(parsed);
  if (!rules.success) throw new Error('MODEL_MAP: expected an object of model name → upstream slug (non-empty strings)');
  return Object.entries(rules.data).map(([match, slug]) => {
    if (!PLAUSIBLE_NAME.test(match)) throw new Error(`MODEL_MAP: "${match}" is not a model name (letters, digits and . _ : -)`);
    return { match, slug };
  });
}

/** Whether `name` is `rule` or `rule-…` (a dated snapshot or variant of it). */
function namesRule(name: string, rule: string): boolean {
  return name === rule || (name.startsWith(rule) && name[rule.length] === '-');
}

/** Where `rule` stands in `name` as a word of its own (bounded by separators), or -1. */
function wordAt(name: string, rule: string): number {
  for (let at = name.indexOf(rule); at >= 0; at = name.indexOf(rule, at + 1)) {
    const before = at === 0 || SEPARATORS.has(name[at - 1]);
    const end = at + rule.length;
    const after = end === name.length || SEPARATORS.has(name[end]);
    if (before && after) return at;
  }
  return -1;
}

/**
 * The model mapping table: which ChatGPT model (slug) a client's model name reaches. Pure, so the
 * gateway (limits, allow-lists, budgets: what a request will really use) and the conversation worker
 * (the upstream request, the models listing) read one table.
 *
 * The rules, in order (names compared case-insensitively):
 * 1. A name that is not one word of letters, digits and `. _ : -` is refused (400): `"o1 "`,
 *    `"gpt 4o"`, `"openai/gpt-4o"` read as something they would not get.
 * 2. GPTs: a name starting with `g-`, holding `-g-`, or containing `gizmo` runs in gizmo mode on the
 *    default model, with `g-` and what follows the last `g-` as the GPT's id (chat2api's rule).
 * 3. A rule's name, or the name followed by `-` and anything (`gpt-4o-2024-08-06`, `gpt-4-turbo`,
 *    `gpt-3.5-turbo`), goes to that rule's slug; the longest matching rule wins, MODEL_MAP's rules
 *    before the built-in ones.
 * 4. A name holding a rule's name as a word of its own without being it (`my-o1`, `ft:o1:x`) is
 *    refused (404 `model_not_found`): it reads as that model, and would not get it.
 * 5. Any other name (`claude-3`, `xo1`, `gpt-5`) goes to the default model (DEFAULT_UPSTREAM_MODEL),
 *    as chat2api does; limits and budgets then count it as the default model.
 */
export class ModelTable {
  readonly rules: readonly ModelRule[];
  private readonly extra: readonly ModelRule[];
  private readonly builtIn: readonly ModelRule[];

  constructor(
    readonly defaultSlug: string,
    extraRulesJson?: string,
  ) {
    this.extra = parseModelMap(extraRulesJson).map((r) => ({ ...r, match: r.match.toLowerCase() }));
    this.builtIn = DEFAULT_MODEL_RULES;
    // Configured rules come first so an operator can override any built-in one.
    this.rules = [...parseModelMap(extraRulesJson), ...DEFAULT_MODEL_RULES];
  }

  resolve(model: string): ModelResolution {
    if (!PLAUSIBLE_NAME.test(model)) {
      return { ok: false, failure: invalidValue('model', `${JSON.stringify(model.slice(0, 100))} is not a model name (one word of letters, digits and . _ : -, no spaces).`) };
    }
    const name = model.toLowerCase();
    if (name.startsWith('g-') || name.includes('-g-') || name.includes('gizmo')) {
      const at = name.lastIndexOf('g-');
      // The GPT's id keeps its case: GPT ids are case-sensitive.
      if (at >= 0 && at + 2 < name.length) return { ok: true, by: 'gizmo', slug: this.defaultSlug, gizmoId: `g-${model.slice(at + 2)}` };
    }
    const rule = this.longest(this.extra, name) ?? this.longest(this.builtIn, name);
    if (rule) return { ok: true, by: 'rule', slug: rule.slug, gizmoId: null };
    for (const r of [...this.extra, ...this.builtIn]) {
      if (wordAt(name, r.match) >= 0) {
        return {
          ok: false,
          failure: requestFailure(
            'model_not_found',
            `The model '${model}' does not exist. A ChatGPT model is named by its whole name or its name and a '-' suffix ('${r.match}', '${r.match}-2024-…'); this name only contains '${r.match}'.`,
            { param: 'model' },
          ),
        };
      }
    }
    return { ok: true, by: 'default', slug: this.defaultSlug, gizmoId: null };
  }

  /** The slug a name reaches by a rule or as a GPT; null when it reaches only the default, or is refused. */
  ruleSlugOf(model: string): string | null {
    const resolved = this.resolve(model);
    return resolved.ok && resolved.by !== 'default' ? resolved.slug : null;
  }

  listed(): Array<{ id: string; upstreamSlug: string }> {
    const seen = new Set<string>();
    return this.rules
      .map((r) => ({ id: r.listAs ?? r.match, upstreamSlug: r.slug }))
      .filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
  }

  private longest(rules: readonly ModelRule[], name: string): ModelRule | undefined {
    let best: ModelRule | undefined;
    for (const r of rules) if (namesRule(name, r.match) && (!best || r.match.length > best.match.length)) best = r;
    return best;
  }
}
