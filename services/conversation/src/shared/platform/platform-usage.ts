/** Token counts as the platform upstream reported them. */
export interface PlatformUsage {
  promptTokens: number;
  completionTokens: number;
  /** The images an image answer holds (its `data` entries with a `url` or `b64_json`). */
  images?: number;
  /** A Responses answer's id (`resp_…`): which key holds it, for the caller's later calls. */
  responseId?: string;
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null);

/**
 * The `usage` object of a platform answer: chat and completions (`prompt_tokens`,
 * `completion_tokens`), embeddings (`prompt_tokens` only) and image models (`input_tokens`,
 * `output_tokens`). Null when there is none (dall-e, speech).
 */
export function usageOf(value: unknown): PlatformUsage | null {
  if (!value || typeof value !== 'object') return null;
  const u = value as Record<string, unknown>;
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  const completion = count(u.completion_tokens) ?? count(u.output_tokens);
  if (prompt === null && completion === null) return null;
  return { promptTokens: prompt ?? 0, completionTokens: completion ?? 0 };
}

/** How many images an answer holds: `data` entries with a `url` or `b64_json` (embeddings' entries have neither). */
function imageCount(data: unknown): number {
  if (!Array.isArray(data)) return 0;
  return data.filter((d) => d !== null && typeof d === 'object' && (typeof d.url === 'string' || typeof d.b64_json === 'string')).length;
}

/** Usage from a whole JSON answer's bytes (with the images of an image answer); null for anything that is not a JSON object with usage or images. */
export function usageOfBody(bytes: Uint8Array): PlatformUsage | null {
  try {
    const answer = JSON.parse(Buffer.from(bytes).toString('utf8')) as { usage?: unknown; data?: unknown; object?: unknown; id?: unknown };
    const usage = usageOf(answer.usage);
    if (answer.object === 'response' && typeof answer.id === 'string') return { ...(usage ?? { promptTokens: 0, completionTokens: 0 }), responseId: answer.id };
    const images = imageCount(answer.data);
    if (!images) return usage;
    return { ...(usage ?? { promptTokens: 0, completionTokens: 0 }), images };
  } catch {
    return null;
  }
}
