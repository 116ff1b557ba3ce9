/**
 * Redis Cluster hashes only a key's hash tag when it has one: the text between its first `{` and
 * the first `}` after it, if not empty. Keys with one tag share a slot, so one script may use them
 * together. The usage service tags every key with its tenant (`{<tenant id>}`).
 */
export function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  if (open < 0) return null;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

/** The hash tag all `keys` share, or an error naming the first that differs: a script over them would fail (CROSSSLOT) on a cluster. */
export function sharedHashTag(keys: readonly string[]): string {
  const tag = hashTagOf(keys[0] ?? '');
  const odd = keys.find((k) => hashTagOf(k) !== tag);
  if (tag === null || odd !== undefined) throw new Error(`Redis keys of one script must share a hash tag: ${odd ?? keys[0]}`);
  return tag;
}
