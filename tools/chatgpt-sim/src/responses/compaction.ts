// Remote compaction (POST /responses/compact on both backends): the conversation's user messages
// are kept and everything is summed up in one `compaction` item whose `encrypted_content` a later
// request may carry instead of the history. An empty input compacts to nothing.
import { platformTokens } from '../platform/tokens.js';
import { responsesInputTokens, userText, type Item } from './items.js';
import { itemId, type Usage } from './plan.js';
import type { Sealer } from './seal.js';

export function compact(items: Item[], instructions: unknown, sealer: Sealer, withIds: boolean): { output: Item[]; usage: Usage } {
  const users = items.filter((i) => i.type === 'message' && i.role === 'user');
  const summary = users.map((i) => userText(i)).join('\n');
  const output: Item[] = items.length === 0 ? [] : [
    ...users.map((i) => {
      const { id: _id, ...rest } = i;
      return withIds ? { id: itemId('msg'), ...rest } : rest;
    }),
    { ...(withIds ? { id: itemId('cmp') } : {}), type: 'compaction', encrypted_content: sealer.seal('compaction', { summary, items: items.length }) },
  ];
  const input = responsesInputTokens(items, instructions);
  const out = items.length === 0 ? 0 : platformTokens(summary);
  return { output, usage: { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: out, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + out } };
}
