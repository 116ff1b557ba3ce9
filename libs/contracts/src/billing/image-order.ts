import { z } from 'zod';
import { oneLine } from '../common/client-text.js';

/** OpenAI's most images one generation request may ask for (`n`). */
export const IMAGES_PER_REQUEST_MAX = 10;

/** A size or quality as the image request names it (`1024x1792`, `hd`, `auto`): a short one-line word. */
const imageOptionSchema = oneLine(z.string().min(1).max(32));

/**
 * What an image generation costs by: how many images, of what size and quality (absent: the model's
 * default, priced as the table's `image`). The gateway holds a budget for `n` of them; the worker's
 * usage event counts the images the answer held.
 */
export const imageOrderSchema = z.object({
  count: z.number().int().nonnegative(),
  size: imageOptionSchema.optional(),
  quality: imageOptionSchema.optional(),
});
export type ImageOrder = z.infer<typeof imageOrderSchema>;

const optionOf = (value: unknown): string | undefined => {
  const parsed = imageOptionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/**
 * The order of an image request body as the client sent it (`n`, `size`, `quality`), read without
 * judging it (the upstream does): a field that is not a plausible value is left out, so the
 * request is priced at the model's `image` price; `count` defaults to `n`, else 1, at most
 * IMAGES_PER_REQUEST_MAX.
 */
export function imageOrderOf(body: Record<string, unknown> | undefined, count?: number): ImageOrder {
  const n = body?.n;
  const asked = typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, IMAGES_PER_REQUEST_MAX) : 1;
  const size = optionOf(body?.size);
  const quality = optionOf(body?.quality);
  return { count: count ?? asked, ...(size ? { size } : {}), ...(quality ? { quality } : {}) };
}
