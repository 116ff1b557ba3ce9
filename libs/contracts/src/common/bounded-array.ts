import { z } from 'zod';

/**
 * An array of a client's request checked so that a hostile one costs little: its length is checked
 * first (before any item is looked at), then its items one after another, stopping at the first that
 * fails (whose first issue is the one reported). A plain `z.array(item)` checks every item and keeps an
 * issue for each bad one: a body of a million bad items built a million issues and took the gateway down.
 */
export function boundedArray<T extends z.ZodType>(item: T, bounds: { max: number; min?: number }) {
  const min = bounds.min ?? 0;
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (!Array.isArray(value)) ctx.addIssue({ code: 'invalid_type', expected: 'array', input: value, message: 'Invalid input: expected array' });
      else if (value.length > bounds.max) ctx.addIssue({ code: 'custom', input: value, message: `must have at most ${bounds.max} items` });
      else if (value.length < min) ctx.addIssue({ code: 'custom', input: value, message: `must have at least ${min} item${min === 1 ? '' : 's'}` });
    })
    .transform((value, ctx) => {
      const items = value as unknown[];
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
