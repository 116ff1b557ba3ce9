import { randomBytes } from 'node:crypto';
import { inputItemsQuerySchema, invalidValue, type BusError } from '@chatgate/contracts';

type Item = Record<string, unknown>;

const PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco', reasoning: 'rs', custom_tool_call: 'ctc', custom_tool_call_output: 'ctco' };

/**
 * Input items with an id each, as `input_items` lists them (an SDK "easy" message, a string input,
 * a tool output arrive without one). Ids already there are kept; the Codex body rules strip them all
 * before anything is replayed upstream.
 */
export function withItemIds(items: Item[]): Item[] {
  return items.map((item) => {
    if (typeof item.id === 'string' && item.id !== '') return item;
    const type = typeof item.type === 'string' ? item.type : 'message';
    return { id: `${PREFIX[type] ?? 'item'}_${randomBytes(24).toString('hex')}`, ...item, type };
  });
}

/** A page of input items in OpenAI's list shape (`order` desc by default, `after` an item id, `limit` 1–100). */
export function inputItemsPage(items: Item[], query: Record<string, string>): { ok: true; body: unknown } | { ok: false; failure: BusError } {
  const parsed = inputItemsQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = String(issue.path[0] ?? 'query');
    return { ok: false, failure: invalidValue(param, issue.message) };
  }
  const { limit, order, after } = parsed.data;
  const ordered = order === 'desc' ? [...items].reverse() : items;
  let start = 0;
  if (after !== undefined) {
    const at = ordered.findIndex((item) => item.id === after);
    if (at < 0) return { ok: false, failure: invalidValue('after', `no input item with id '${after}'.`) };
    start = at + 1;
  }
  const data = ordered.slice(start, start + limit);
  return {
    ok: true,
    body: {
      object: 'list',
      data,
      first_id: (data[0]?.id as string | undefined) ?? null,
      last_id: (data[data.length - 1]?.id as string | undefined) ?? null,
      has_more: start + limit < ordered.length,
    },
  };
}
