/**
 * JSON-pointer operations of the v1 delta encoding, applied in place to one document.
 *
 * The upstream is not a strict RFC 6902 producer, so everything here is tolerant:
 * an operation that cannot apply (bad pointer, primitive in the way) reports false
 * and leaves the document as it was; nothing throws on odd input.
 */

/** A document and its root, so operations at the empty pointer can replace the root. */
export interface DocumentHolder {
  value: unknown;
}

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "" → [], "/a/b~1c" → ["a", "b/c"]; null when the string is not a pointer. */
export function parsePointer(pointer: string): string[] | null {
  if (pointer.length === 0) return [];
  if (pointer.charCodeAt(0) !== 47 /* '/' */) return null;
  const tokens = pointer.slice(1).split('/');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.includes('~')) tokens[i] = t.replace(/~1/g, '/').replace(/~0/g, '~');
  }
  return tokens;
}

/** Array index of a token, or -1. '-' (past the end) is handled by callers. */
function arrayIndex(token: string): number {
  const n = token.length;
  if (n === 0 || n > 15) return -1;
  if (n > 1 && token.charCodeAt(0) === 48) return -1; // no leading zeros
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = token.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/**
 * Own properties only: following an inherited key ("constructor", "__proto__") would
 * let a hostile stream write into shared prototypes.
 */
function getChild(container: unknown, token: string): unknown {
  if (Array.isArray(container)) {
    const i = arrayIndex(token);
    return i >= 0 ? container[i] : undefined;
  }
  if (isRecord(container) && Object.hasOwn(container, token)) return container[token];
  return undefined;
}

function setChild(container: unknown, token: string, value: unknown): boolean {
  if (Array.isArray(container)) {
    const i = token === '-' ? container.length : arrayIndex(token);
    if (i < 0 || i > container.length) return false;
    container[i] = value;
    return true;
  }
  if (isRecord(container) && token !== '__proto__') {
    container[token] = value;
    return true;
  }
  return false;
}

/** Shallow merge; skips '__proto__', which JSON.parse leaves as an own key. */
function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const key of Object.keys(source)) {
    if (key !== '__proto__') target[key] = source[key];
  }
}

/**
 * `append`: string concat, array push (an array value is spread: thoughts arrive as
 * `[{summary, content, ...}]`), object merge (how `/message/metadata` grows). Appending
 * to nothing sets the value. Returns the new value (same reference for in-place edits).
 */
function appendValue(current: unknown, value: unknown): unknown {
  if (typeof current === 'string') return typeof value === 'string' ? current + value : current;
  if (Array.isArray(current)) {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) current.push(value[i]);
    else if (value !== undefined) current.push(value);
    return current;
  }
  if (isRecord(current)) {
    if (isRecord(value)) mergeInto(current, value);
    return current;
  }
  if (current === undefined || current === null) return value;
  return current;
}

/** `truncate` is seen rarely and undocumented; a numeric length is honoured, else ignored. */
function truncateValue(current: unknown, value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return current;
  if (typeof current === 'string') return current.length > value ? current.slice(0, value) : current;
  if (Array.isArray(current) && current.length > value) current.length = value;
  return current;
}

/**
 * Applies one non-patch operation (`add`, `replace`, `remove`, `append`, `truncate`) at
 * `path`. Missing intermediate containers are created as objects for writing operations,
 * since the upstream sometimes appends to metadata keys that were never added.
 */
export function applyOperation(holder: DocumentHolder, path: readonly string[], op: string, value: unknown): boolean {
  const depth = path.length;
  if (depth === 0) {
    switch (op) {
      case 'add':
      case 'replace':
        holder.value = value;
        return true;
      case 'append':
        holder.value = appendValue(holder.value, value);
        return true;
      case 'truncate':
        holder.value = truncateValue(holder.value, value);
        return true;
      case 'remove':
        holder.value = undefined;
        return true;
      default:
        return false;
    }
  }
  const writes = op === 'add' || op === 'replace' || op === 'append';
  if (!writes && op !== 'remove' && op !== 'truncate') return false;

  let parent = holder.value;
  if (typeof parent !== 'object' || parent === null) {
    if (!writes || parent !== undefined && parent !== null) return false;
    parent = {};
    holder.value = parent;
  }
  for (let i = 0; i < depth - 1; i++) {
    const token = path[i];
    let next = getChild(parent, token);
    if (typeof next !== 'object' || next === null) {
      if (!writes || next !== undefined && next !== null) return false;
      next = {};
      if (!setChild(parent, token, next)) return false;
    }
    parent = next;
  }

  const last = path[depth - 1];
  switch (op) {
    case 'add':
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : arrayIndex(last);
        if (i < 0) return false;
        if (i >= parent.length) parent.push(value);
        else parent.splice(i, 0, value);
        return true;
      }
      return setChild(parent, last, value);
    case 'replace':
      return setChild(parent, last, value);
    case 'remove':
      if (Array.isArray(parent)) {
        const i = arrayIndex(last);
        if (i < 0 || i >= parent.length) return false;
        parent.splice(i, 1);
        return true;
      }
      if (isRecord(parent) && Object.hasOwn(parent, last)) {
        delete parent[last];
        return true;
      }
      return false;
    case 'append': {
      const current = getChild(parent, last);
      const next = appendValue(current, value);
      return next === current ? true : setChild(parent, last, next);
    }
    case 'truncate': {
      const current = getChild(parent, last);
      const next = truncateValue(current, value);
      return next === current ? true : setChild(parent, last, next);
    }
    default:
      return false;
  }
}

/** Nested patches deeper than this are ignored rather than risking the stack. */
const MAX_PATCH_DEPTH = 16;

/**
 * Applies an operation, expanding `patch` into its sub-operations. Sub-operation paths
 * are absolute when the parent pointer is empty and relative to it otherwise.
 * Returns the number of sub-operations that could not apply (0 = all applied).
 */
export function applyPatchOrOperation(
  holder: DocumentHolder,
  pointer: string,
  path: readonly string[],
  op: string,
  value: unknown,
  depth = 0,
): number {
  if (op !== 'patch') return applyOperation(holder, path, op, value) ? 0 : 1;
  if (!Array.isArray(value) || depth >= MAX_PATCH_DEPTH) return 1;
  let failed = 0;
  for (const item of value) {
    if (!isRecord(item) || typeof item.o !== 'string') {
      failed++;
      continue;
    }
    const sub = typeof item.p === 'string' ? item.p : '';
    const full = pointer.length === 0 ? sub : pointer + sub;
    const subPath = parsePointer(full);
    if (subPath === null) {
      failed++;
      continue;
    }
    failed += applyPatchOrOperation(holder, full, subPath, item.o, item.v, depth + 1);
  }
  return failed;
}
