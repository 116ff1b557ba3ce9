import type { ListModelsReply } from '@chatgate/contracts';
import type { ModelTable } from '@chatgate/contracts';

type ModelEntry = ListModelsReply['models'][number];

/** The slugs of a /backend-api/models answer (`{models: [{slug, …}]}`), in the upstream's order; unknown shapes give none. */
export function slugsOf(body: unknown): string[] {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  return models.map((m) => (m as { slug?: unknown })?.slug).filter((slug): slug is string => typeof slug === 'string' && slug !== '');
}

/**
 * What /v1/models lists for a caller whose accounts offer `offered` (upstream slugs): each offered slug under
 * its own name when the mapping table sends that name to that very slug (a listed name must work as listed:
 * `gpt-4-5` would go to `gpt-4` as a `gpt-4-…` name, so it is not listed; MODEL_MAP can route it), then the table's
 * client names (built-in and MODEL_MAP) whose target is offered.
 */
export function listingFor(offered: readonly string[], table: ModelTable): ModelEntry[] {
  const entries: ModelEntry[] = [];
  const ids = new Set<string>();
  const add = (id: string, upstreamSlug: string) => {
    if (ids.has(id)) return;
    ids.add(id);
    entries.push({ id, upstreamSlug, ownedBy: 'chatgpt' });
  };
  for (const slug of offered) {
    const routed = table.resolve(slug);
    if (routed.ok && routed.slug === slug && routed.gizmoId === null) add(slug, slug);
  }
  const available = new Set(offered);
  for (const alias of table.listed()) if (available.has(alias.upstreamSlug)) add(alias.id, alias.upstreamSlug);
  return entries;
}
