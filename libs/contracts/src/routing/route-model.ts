import { DEFAULT_MODEL_ROUTES, type ModelRoute } from './model-routes.schema.js';
import type { UpstreamKind } from './upstream-kind.js';

const compiled = new Map<string, RegExp>();

/** A glob as a whole-name, case-insensitive pattern; compiled once per distinct glob. */
function patternOf(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 'i');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(glob, re);
  }
  return re;
}

export function modelMatches(glob: string, model: string): boolean {
  return patternOf(glob).test(model);
}

/**
 * Which upstream a routing table (absent: DEFAULT_MODEL_ROUTES) gives a model: the first rule whose
 * glob matches, else ChatGPT (the upstream every tenant has had from the start). One step of
 * `routeRequest`, which every entry point calls; kept apart because auth reads tables the same way.
 */
export function routeModel(routes: readonly ModelRoute[] | undefined, model: string): UpstreamKind {
  for (const route of routes ?? DEFAULT_MODEL_ROUTES) if (modelMatches(route.model, model)) return route.upstream;
  return 'chatgpt';
}
