/** A plain JSON object (not null, not an array): what every wire object here is checked to be before it is read. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
