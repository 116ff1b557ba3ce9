import type { ModelTable } from './model-table.js';

/** A dated snapshot at the end of a name: `-2024-08-06` (OpenAI's dated models) or `-0613`. */
const SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{4})$/;

/** `gpt-4o-2024-08-06` → `gpt-4o`: a snapshot is its model for limits. */
export function snapshotBase(model: string): string {
  return model.replace(SNAPSHOT, '');
}

/**
 * The name a request is counted under by the limits that apply to it: the upstream model it really
 * reaches (the mapping table's slug for a chat on a ChatGPT account, carried as `resolvedModel`),
 * else the name it was sent with; lower-cased and without a dated snapshot suffix. The gateway takes
 * a limit's slot under this name and the usage service gives it back under the same, so both ends
 * compute it here from what the request and its usage event carry.
 */
export function limitModelOf(model: string, resolvedModel?: string | null): string {
  return snapshotBase((resolvedModel ?? model).toLowerCase());
}

/**
 * The name a user's limit entry (`model_name`, as ChatGPT-Mirror's admins write client names) counts:
 * through the mapping table when the request goes to a ChatGPT account (`gpt-3.5-turbo` counts
 * requests that reach `text-davinci-002-render-sha`), else as written. A name no rule of the table
 * names (`claude-3`) counts as written: it is about that model, not about the default model that
 * such a name reaches on a ChatGPT account (whose own limits count it).
 */
export function limitEntryModel(entry: string, table: ModelTable | null): string {
  return limitModelOf(entry, table?.ruleSlugOf(entry) ?? null);
}
