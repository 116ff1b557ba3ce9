import type { Principal, UpstreamKind } from '@chatgate/contracts';

/**
 * Which price list applies to a principal's requests: its own ChatGPT token and a tenant's pool
 * of ChatGPT accounts are `chatgpt`; any other upstream kind (an OpenAI API key) is `platform`.
 */
export function upstreamKindOf(principal: Principal): UpstreamKind {
  const kind: string = principal.upstream.kind;
  return kind === 'pool' || kind === 'chatgpt_access_token' ? 'chatgpt' : 'platform';
}
