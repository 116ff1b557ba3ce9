// The Codex model catalog (reference §3.1): per account (its plan's list unless a test set one),
// gated by the client's version (`minimal_client_version`), answered with an ETag.
import { createHash } from 'node:crypto';
import type { Plan } from '../types.js';

interface CodexModel {
  slug: string;
  displayName: string;
  minimalClientVersion: string;
  priority: number;
  contextWindow: number;
  efforts: string[];
  defaultEffort: string;
  summaries: boolean;
}

const BASE_INSTRUCTIONS = 'You are Codex, a coding agent based on GPT-5. You and the user share the same workspace and collaborate to achieve the user\'s goals.';

// Names as the reference's 2026 timeline has them; gpt-5.5 is only listed to clients ≥ 0.124.0.
const KNOWN: CodexModel[] = [
  { slug: 'gpt-5.5', displayName: 'GPT-5.5', minimalClientVersion: '0.124.0', priority: 1, contextWindow: 400000, efforts: ['low', 'medium', 'high', 'xhigh'], defaultEffort: 'medium', summaries: true },
  { slug: 'gpt-5.4', displayName: 'GPT-5.4', minimalClientVersion: '0.98.0', priority: 2, contextWindow: 272000, efforts: ['low', 'medium', 'high', 'xhigh'], defaultEffort: 'medium', summaries: true },
  { slug: 'gpt-5.4-mini', displayName: 'GPT-5.4 mini', minimalClientVersion: '0.98.0', priority: 3, contextWindow: 272000, efforts: ['low', 'medium', 'high'], defaultEffort: 'medium', summaries: true },
  { slug: 'gpt-5.1-codex-max', displayName: 'GPT-5.1-Codex-Max', minimalClientVersion: '0.58.0', priority: 4, contextWindow: 272000, efforts: ['low', 'medium', 'high', 'xhigh'], defaultEffort: 'medium', summaries: true },
  { slug: 'gpt-5.3-codex-spark', displayName: 'GPT-5.3-Codex-Spark', minimalClientVersion: '0.98.0', priority: 5, contextWindow: 128000, efforts: ['low', 'medium', 'high'], defaultEffort: 'low', summaries: false },
];

const FREE = ['gpt-5.5', 'gpt-5.4-mini'];
const PAID = ['gpt-5.5', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.1-codex-max'];
const PRO = [...PAID, 'gpt-5.3-codex-spark'];

const BY_PLAN: Record<Plan, string[]> = { free: FREE, go: FREE, plus: PAID, team: PAID, business: PAID, enterprise: PAID, edu: PAID, pro: PRO };

export function planModels(plan: Plan): string[] {
  return [...BY_PLAN[plan]];
}

function modelFor(slug: string, index: number): CodexModel {
  return KNOWN.find((m) => m.slug === slug) ?? { slug, displayName: slug, minimalClientVersion: '0.1.0', priority: 10 + index, contextWindow: 272000, efforts: ['low', 'medium', 'high'], defaultEffort: 'medium', summaries: true };
}

/** -1, 0, 1 as `a` is below, equal to or above `b` (dotted numbers; missing parts are 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function entry(m: CodexModel): Record<string, unknown> {
  return {
    slug: m.slug,
    display_name: m.displayName,
    description: `${m.displayName} (simulated)`,
    default_reasoning_level: m.defaultEffort,
    supported_reasoning_levels: m.efforts.map((effort) => ({ effort, description: `${effort} reasoning effort` })),
    shell_type: 'shell_command',
    visibility: 'list',
    minimal_client_version: m.minimalClientVersion,
    supported_in_api: true,
    priority: m.priority,
    base_instructions: BASE_INSTRUCTIONS,
    context_window: m.contextWindow,
    supports_parallel_tool_calls: true,
    supports_reasoning_summaries: m.summaries,
    truncation_policy: { mode: 'tokens', limit: 10000 },
    apply_patch_tool_type: 'freeform',
    // Fields Codex CLI's ModelInfo requires (codex-rs/protocol openai_models.rs): a catalog without them
    // fails to parse, in `model_catalog_json` as from the backend.
    upgrade: null,
    support_verbosity: true,
    default_verbosity: 'low',
    experimental_supported_tools: [],
    input_modalities: ['text', 'image'],
  };
}

/** The listing for these slugs as a client of `clientVersion` sees it, and its ETag. */
export function catalog(slugs: string[], clientVersion: string): { body: { models: Array<Record<string, unknown>> }; etag: string } {
  const models = slugs.map(modelFor).filter((m) => compareVersions(clientVersion, m.minimalClientVersion) >= 0);
  const body = { models: models.map(entry) };
  return { body, etag: etagOf(body) };
}

/** The ETag of the account's whole list (the `x-models-etag` a stream answer carries). */
export function catalogEtag(slugs: string[]): string {
  return etagOf({ models: slugs.map(modelFor).map(entry) });
}

function etagOf(body: unknown): string {
  return `"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
}
