import { z } from 'zod';

/**
 * An array of a client's request checked so that a hostile one costs little: its length is checked
 * first (before any item), then its items one after another, stopping at the first that fails (whose
 * first issue is the one reported). A plain `z.array(item)` checks every item and keeps an issue for
 * each bad one: a body of a million bad items built a million issues and took the gateway down.
 */
export function boundedArray<T extends z.ZodType>(item: T, bounds: { max: number; min?: number }) {
  let list = z.array(z.unknown()).max(bounds.max, { error: `must have at most ${bounds.max} items` });
  if (bounds.min !== undefined) list = list.min(bounds.min, { error: `must have at least ${bounds.min} item${bounds.min === 1 ? '' : 's'}` });
  return list.transform((items, ctx) => {
    const out: Array<z.output<T>> = [];
    for (let i = 0; i < items.length; i++) {
      const result = item.safeParse(items[i]);
      if (!result.success) {
        const [issue] = result.error.issues;
        ctx.addIssue({ code: 'custom', message: issue.message, path: [i, ...issue.path], input: items[i] });
        return z.NEVER;
      }
      out.push(result.data);
    }
    return out;
  });
}
