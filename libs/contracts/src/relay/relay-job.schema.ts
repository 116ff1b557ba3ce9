import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { usageKindSchema } from '../usage/usage-event.schema.js';
import { relayTargetSchema } from '../routing/upstream-kind.js';


export const relayMethodSchema = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export const relayRequestSchema = z.object({
  method: relayMethodSchema,
  /** Path on the upstream, starting with `/` (no query, no host: the worker's configuration picks the base). */
  path: z.string().regex(/^\/[^?#]*$/),
  /** The raw query string without `?`, empty when none. */
  query: z.string().default(''),
  /** The few request headers the upstream needs (lower-case names); never Authorization, which the worker sets. */
  headers: z.record(z.string(), z.string()).default({}),
  /** The request body, base64 (binary-safe); absent for none. */
  body: z.string().optional(),
});
export type RelayRequest = z.infer<typeof relayRequestSchema>;

export const relayJobSchema = z.object({
  requestId: z.string().min(1),
  /**
   * Which upstream the job goes to: one relay target per UpstreamKind (`RELAY_TARGET_OF`), each a
   * small interface in the worker. `platform`: the tenant's API keys; its path is one of
   * `platformPathSchema`, and its job leaves `usage` null (the platform runner publishes the usage
   * event itself, with the upstream's exact counts).
   */
  target: relayTargetSchema,
  request: relayRequestSchema,
  upstream: upstreamCredentialSchema,
  tenantId: z.string(),
  credentialId: z.string(),
  userId: z.string().nullable().default(null),
  userName: z.string().nullable().default(null),
  /** The user sees only their own conversations: a web-protocol request naming another user's recorded conversation is a 404. */
  isolatedSession: z.boolean().optional(),
  /**
   * Model use to account for: one usage event of this kind and model when the job ends (and the
   * limit slot the gateway took is returned if it failed). Null for requests that use no model.
   * The model also steers the lease (accounts cooling down for it or whose plan lacks it are skipped).
   */
  usage: z.object({ kind: usageKindSchema, model: z.string().min(1) }).nullable().default(null),
  /**
   * Whom answers that name an account are for: the upstream account's ids, email and name are
   * replaced with these before anything reaches the client. Null relays them unchanged (the
   * caller's own token: the account is theirs).
   */
  caller: z.object({ id: z.string().min(1), name: z.string().min(1) }).nullable().default(null),
});
export type RelayJob = z.infer<typeof relayJobSchema>;
