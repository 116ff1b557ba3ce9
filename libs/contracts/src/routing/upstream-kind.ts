import { z } from 'zod';

/**
 * The kinds of upstream account a tenant's pool holds, and so the kinds a request can be routed
 * to: ChatGPT logins (the web backend), API keys (the OpenAI platform API) and Codex logins (the
 * Codex backend, ChatGPT subscriptions through Codex's OAuth client). This list is the one place to
 * add a kind: every table keyed by UpstreamKind below, the routing decision (`routeRequest`) and
 * each entry point's dispatch then fail to compile until the new kind has its row or branch.
 */
export const UPSTREAM_KINDS = ['chatgpt', 'platform', 'codex'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];
export const upstreamKindSchema = z.enum(UPSTREAM_KINDS);

/**
 * How auth stores an account of each kind (`upstream_accounts.kind`) and how a lease asks for one.
 * The names predate UpstreamKind and live in the database, so they stay; this map is the only
 * place that translates.
 */
export const ACCOUNT_KIND_OF = { chatgpt: 'chatgpt', platform: 'api_key', codex: 'codex' } as const satisfies Record<UpstreamKind, string>;
export type AccountKind = (typeof ACCOUNT_KIND_OF)[UpstreamKind];
export const accountKindSchema = z.enum(Object.values(ACCOUNT_KIND_OF));

/** The relay target (`RelayJob.target`) that speaks each kind's own protocol to it. */
export const RELAY_TARGET_OF = { chatgpt: 'chatgpt_web', platform: 'platform', codex: 'codex' } as const satisfies Record<UpstreamKind, string>;
export type RelayTargetName = (typeof RELAY_TARGET_OF)[UpstreamKind];
export const relayTargetSchema = z.enum(Object.values(RELAY_TARGET_OF));

/** How messages name each kind to clients and operators. */
export const UPSTREAM_NAMES = {
  chatgpt: 'ChatGPT accounts',
  platform: 'API-key (platform) accounts',
  codex: 'Codex accounts (ChatGPT subscriptions)',
} as const satisfies Record<UpstreamKind, string>;
