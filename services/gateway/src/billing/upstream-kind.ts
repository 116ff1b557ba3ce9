import { routeModel, type Principal, type UpstreamKind } from '@chatgate/contracts';

/**
 * Which price list applies to a request: a caller's own ChatGPT token is always `chatgpt`; a
 * tenant's pool serves the model from ChatGPT accounts or API keys as its routing table says
 * (the same decision the chat route makes), and API keys are priced as `platform`.
 */
export function upstreamKindOf(principal: Principal, model: string): UpstreamKind {
  if (principal.upstream.kind === 'chatgpt_access_token') return 'chatgpt';
  return routeModel(principal.modelRoutes, model);
}
