// Which upstream slugs each plan may use, and the /backend-api/models listing built from them.
import type { Plan } from './types.js';

interface ModelInfo {
  slug: string;
  title: string;
  maxTokens: number;
  tags: string[];
}

const FREE: ModelInfo[] = [
  { slug: 'auto', title: 'Auto', maxTokens: 8191, tags: [] },
  { slug: 'gpt-4o-mini', title: 'GPT-4o mini', maxTokens: 8191, tags: ['gpt4o'] },
  { slug: 'text-davinci-002-render-sha', title: 'Default (GPT-3.5)', maxTokens: 8191, tags: ['gpt3.5'] },
  { slug: 'gpt-4o', title: 'GPT-4o', maxTokens: 8191, tags: ['gpt4o'] },
];

const PAID: ModelInfo[] = [
  ...FREE,
  { slug: 'gpt-4', title: 'GPT-4', maxTokens: 32767, tags: ['gpt4'] },
  { slug: 'gpt-4-mobile', title: 'GPT-4 (Mobile)', maxTokens: 32767, tags: ['gpt4'] },
  { slug: 'gpt-4o-canmore', title: 'GPT-4o with canvas', maxTokens: 8191, tags: ['gpt4o'] },
  { slug: 'gpt-4-5', title: 'GPT-4.5', maxTokens: 32767, tags: ['gpt4'] },
  { slug: 'o1', title: 'o1', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o1-mini', title: 'o1-mini', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o3', title: 'o3', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o3-mini', title: 'o3-mini', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o3-mini-high', title: 'o3-mini-high', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o4-mini', title: 'o4-mini', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o4-mini-high', title: 'o4-mini-high', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'gpt-5', title: 'GPT-5', maxTokens: 32767, tags: [] },
  { slug: 'gpt-5-thinking', title: 'GPT-5 Thinking', maxTokens: 32767, tags: ['reasoning'] },
];

const PRO: ModelInfo[] = [
  ...PAID,
  { slug: 'o1-pro', title: 'o1 pro mode', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'o3-pro', title: 'o3-pro', maxTokens: 32767, tags: ['reasoning'] },
  { slug: 'gpt-5-pro', title: 'GPT-5 Pro', maxTokens: 32767, tags: ['reasoning'] },
];

// Go is the low-cost tier: the free models; the workspace plans get the paid list.
const BY_PLAN: Record<Plan, ModelInfo[]> = { free: FREE, go: FREE, plus: PAID, team: PAID, business: PAID, enterprise: PAID, edu: PAID, pro: PRO };
const FREE_SLUGS = new Set(FREE.map((m) => m.slug));

/** Paid plans accept any slug except the ones that model "does not exist"; free (and go) only their four. */
export function modelAvailable(slug: string, plan: Plan): boolean {
  if (slug === 'gpt-4-unavailable' || slug.startsWith('x-missing')) return false;
  return plan === 'free' || plan === 'go' ? FREE_SLUGS.has(slug) : true;
}

/** Workspace plans (one workspace, several members) as opposed to personal ones. */
export function isWorkspacePlan(plan: Plan): boolean {
  return plan === 'team' || plan === 'business' || plan === 'enterprise' || plan === 'edu';
}

/** The slug upstream reports in message metadata: auto resolves to a concrete model. */
export function resolvedSlug(slug: string): string {
  return slug === 'auto' ? 'gpt-4o' : slug;
}

export function modelsResponse(plan: Plan): Record<string, unknown> {
  const models = BY_PLAN[plan].map((m) => ({
    slug: m.slug,
    max_tokens: m.maxTokens,
    title: m.title,
    description: `${m.title} (simulated)`,
    tags: m.tags,
    capabilities: {},
    product_features: {},
    enabled_tools: m.tags.includes('reasoning') ? ['tools', 'search'] : ['tools', 'tools2', 'search'],
  }));
  return {
    models,
    categories: [
      {
        category: 'gpt_4o',
        human_category_name: 'GPT-4o',
        subscription_level: plan,
        default_model: 'auto',
        browsing_model: null,
        code_interpreter_model: null,
        plugins_model: null,
      },
    ],
  };
}
