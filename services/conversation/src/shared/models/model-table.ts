import { z } from 'zod';

/** One rule of the mapping table: a client model name containing `match` goes to upstream `slug`. */
export interface ModelRule {
  match: string;
  slug: string;
  /** The name /v1/models lists for this rule (defaults to `match`). */
  listAs?: string;
}

/** chat2api's table (compat-surface.md): by substring, first match wins, so longer names come first. */
export const DEFAULT_MODEL_RULES: readonly ModelRule[] = [
  'o3-mini-high', 'o3-mini-medium', 'o3-mini-low', 'o3-mini', 'o3', 'o1-preview', 'o1-pro', 'o1-mini', 'o1',
  'gpt-4.5o', 'gpt-4o-canmore', 'gpt-4o-mini', 'gpt-4o', 'gpt-4-mobile', 'gpt-4',
].map((name): ModelRule => ({ match: name, slug: name }))
  .concat([
    { match: 'gpt-3.5', slug: 'text-davinci-002-render-sha', listAs: 'gpt-3.5-turbo' },
    { match: 'auto', slug: 'auto' },
  ]);

export interface ResolvedModel {
  slug: string;
  /** Set for GPTs: the conversation runs in gizmo mode with this id. */
  gizmoId: string | null;
}

const extraRulesSchema = z.record(z.string().min(1), z.string().min(1));

export class ModelTable {
  readonly rules: readonly ModelRule[];

  constructor(
    private readonly defaultSlug: string,
    extraRulesJson?: string,
  ) {
    const extra = extraRulesJson ? Object.entries(extraRulesSchema.parse(JSON.parse(extraRulesJson))).map(([match, slug]) => ({ match, slug })) : [];
    // Configured rules come first so an operator can override any built-in one.
    this.rules = [...extra, ...DEFAULT_MODEL_RULES];
  }

  resolve(model: string): ResolvedModel {
    const name = model.trim();
    // GPTs first: `gpt-4-gizmo-g-abc` also contains `gpt-4`.
    if (name.includes('gizmo') || name.includes('g-')) {
      const at = name.lastIndexOf('g-');
      if (at >= 0 && at + 2 < name.length) return { slug: this.defaultSlug, gizmoId: `g-${name.slice(at + 2)}` };
    }
    const rule = this.rules.find((r) => name.includes(r.match));
    return { slug: rule ? rule.slug : this.defaultSlug, gizmoId: null };
  }

  listed(): Array<{ id: string; upstreamSlug: string }> {
    const seen = new Set<string>();
    return this.rules
      .map((r) => ({ id: r.listAs ?? r.match, upstreamSlug: r.slug }))
      .filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
  }
}
