import { createHash } from 'node:crypto';

/** Who an answer is rewritten for: the gateway user (or credential) behind the request. */
export interface RelayCaller {
  id: string;
  name: string;
}

/** What names the real upstream account: replaced wherever it appears in an answer for a gateway user. */
export interface AccountIdentifiers {
  accountIds: string[];
  userIds: string[];
  emails: string[];
  names: string[];
}

/** The caller's stand-ins, stable per caller so a client sees the same "account" on every call. */
export interface CallerIdentity {
  accountId: string;
  userId: string;
  email: string;
  name: string;
}

export function callerIdentity(caller: RelayCaller): CallerIdentity {
  const h = createHash('sha256').update(caller.id).digest('hex');
  // Shaped like the upstream's ids (a UUID account id, a `user-` id), derived, so nothing real leaks.
  const accountId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  // Gateway users have names, not mailboxes: `.invalid` is reserved, so this never reaches anyone.
  const email = caller.name.includes('@') ? caller.name : `${caller.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'user'}@chatgate.invalid`;
  return { accountId, userId: `user-${h.slice(32, 56)}`, email, name: caller.name };
}

/** The claims of an access token that name its account (read without verifying, never trusted for anything else). */
export function identifiersOfToken(accessToken: string): AccountIdentifiers {
  const out: AccountIdentifiers = { accountIds: [], userIds: [], emails: [], names: [] };
  const payload = accessToken.split('.')[1];
  if (!payload) return out;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const profile = (claims['https://api.openai.com/profile'] ?? {}) as { email?: unknown };
    const auth = (claims['https://api.openai.com/auth'] ?? {}) as { chatgpt_account_id?: unknown; chatgpt_user_id?: unknown; user_id?: unknown };
    if (typeof profile.email === 'string') out.emails.push(profile.email);
    if (typeof auth.chatgpt_account_id === 'string') out.accountIds.push(auth.chatgpt_account_id);
    for (const id of [auth.chatgpt_user_id, auth.user_id]) if (typeof id === 'string') out.userIds.push(id);
  } catch {
    // not a JWT: nothing to learn from it
  }
  return out;
}

/** Identifiers an answer itself reveals (`me`'s id, email and name; the account ids `accounts/check` lists). */
function identifiersOfAnswer(path: string, body: unknown): AccountIdentifiers {
  const out: AccountIdentifiers = { accountIds: [], userIds: [], emails: [], names: [] };
  if (!body || typeof body !== 'object') return out;
  const b = body as Record<string, unknown>;
  if (path.endsWith('/me')) {
    if (typeof b.id === 'string') out.userIds.push(b.id);
    if (typeof b.email === 'string') out.emails.push(b.email);
    if (typeof b.name === 'string') out.names.push(b.name);
  }
  if (b.accounts && typeof b.accounts === 'object') {
    for (const [key, entry] of Object.entries(b.accounts as Record<string, unknown>)) {
      if (key !== 'default') out.accountIds.push(key);
      const account = (entry as { account?: { account_id?: unknown; account_user_id?: unknown } })?.account;
      if (typeof account?.account_id === 'string') out.accountIds.push(account.account_id);
      if (typeof account?.account_user_id === 'string') out.userIds.push(account.account_user_id);
    }
  }
  return out;
}

function merge(...sets: AccountIdentifiers[]): AccountIdentifiers {
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x.length > 0))];
  return {
    accountIds: uniq(sets.flatMap((s) => s.accountIds)),
    userIds: uniq(sets.flatMap((s) => s.userIds)),
    emails: uniq(sets.flatMap((s) => s.emails)),
    names: uniq(sets.flatMap((s) => s.names)),
  };
}

/**
 * Every remaining trace of the account, wherever it sits (values and keys, inside longer strings):
 * ids and emails are long and unique, so they are replaced inside strings; a display name only
 * where it is the whole string (a short name could be an ordinary word).
 */
function scrub(value: unknown, replacements: Array<[string, string]>, names: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (names.has(value)) return names.get(value);
    let out = value;
    for (const [from, to] of replacements) if (out.includes(from)) out = out.split(from).join(to);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, replacements, names));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrub(k, replacements, names) as string] = scrub(v, replacements, names);
    return out;
  }
  return value;
}

/**
 * An account answer (`me`, `accounts/check`, `models`, …) as the gateway user should see it: their
 * name and stand-in ids where the account's were, the account's profile (picture, phone,
 * organisations, subscription ids) dropped, and any other trace of the account replaced.
 */
export function rewriteForCaller(path: string, body: unknown, known: AccountIdentifiers, caller: CallerIdentity): unknown {
  const ids = merge(known, identifiersOfAnswer(path, body));
  let shaped = body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = { ...(body as Record<string, unknown>) };
    if (path.endsWith('/me')) {
      Object.assign(b, { id: caller.userId, email: caller.email, name: caller.name, picture: null, phone_number: null, orgs: { object: 'list', data: [] } });
    }
    if (b.accounts && typeof b.accounts === 'object') {
      const accounts: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(b.accounts as Record<string, unknown>)) {
        const e = entry && typeof entry === 'object' ? { ...(entry as Record<string, unknown>) } : entry;
        if (e && typeof e === 'object') {
          const rec = e as Record<string, unknown>;
          if (rec.account && typeof rec.account === 'object') rec.account = { ...(rec.account as object), account_id: caller.accountId, account_user_id: `${caller.userId}__${caller.accountId}`, name: null };
          if (rec.entitlement && typeof rec.entitlement === 'object') rec.entitlement = { ...(rec.entitlement as object), subscription_id: null };
        }
        accounts[key === 'default' ? key : caller.accountId] = e;
      }
      b.accounts = accounts;
    }
    shaped = b;
  }
  // Longest first, so an id containing another is replaced whole.
  const replacements: Array<[string, string]> = [
    ...ids.emails.map((e): [string, string] => [e, caller.email]),
    ...ids.userIds.map((u): [string, string] => [u, caller.userId]),
    ...ids.accountIds.map((a): [string, string] => [a, caller.accountId]),
  ]
    .filter(([from]) => from.length >= 6)
    .sort((a, b) => b[0].length - a[0].length);
  const names = new Map(ids.names.map((n): [string, string] => [n, caller.name]));
  return scrub(shaped, replacements, names);
}
