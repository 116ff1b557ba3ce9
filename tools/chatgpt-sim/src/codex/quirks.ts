// What the reference leaves open ("Unknown / conflicting") or saw change over time: each a switch a
// test can flip (sim.codex.setQuirks, POST /_sim/codex/quirks), defaulting to the 2026 observation.
import type { CodexQuirks } from '../types.js';

export const DEFAULT_QUIRKS: CodexQuirks = {
  emptyCompletedOutput: true,
  instructions: 'required',
  requireBetaHeader: false,
  acceptNonCodexTokens: false,
  crossClientRefresh: false,
  acceptInputFile: true,
  strictContentType: true,
  requireClientVersion: true,
  requireAccountHeader: true,
};

const INSTRUCTIONS_MODES = ['required', 'non_empty', 'codex_prompt'] as const;

/** Applies the known fields of `patch` (validated) to `quirks`; returns an error text for a bad one. */
export function applyQuirks(quirks: CodexQuirks, patch: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_QUIRKS)) return `unknown quirk ${JSON.stringify(key)}`;
    if (key === 'instructions') {
      if (!INSTRUCTIONS_MODES.includes(value as CodexQuirks['instructions'])) return `instructions must be one of ${INSTRUCTIONS_MODES.join(', ')}`;
      quirks.instructions = value as CodexQuirks['instructions'];
    } else {
      if (typeof value !== 'boolean') return `${key} must be a boolean`;
      (quirks as unknown as Record<string, boolean>)[key] = value;
    }
  }
  return null;
}
