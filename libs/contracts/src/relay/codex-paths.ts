import { z } from 'zod';

/**
 * The public OpenAI paths a `codex` relay job may name: the gateway routes them to the tenant's Codex
 * accounts, and the worker speaks them to the Codex backend in its own dialect (reference
 * upstream-codex.md §4). Its job leaves `usage` null: the Codex runner publishes the usage event with the
 * upstream's exact counts.
 */
export const codexPathSchema = z.enum(['/chat/completions', '/responses', '/responses/compact']);
export type CodexRelayPath = z.infer<typeof codexPathSchema>;
