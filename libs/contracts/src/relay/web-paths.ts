/**
 * The ChatGPT web backend paths a `chatgpt_web` relay job may name. The gateway builds them from the
 * route that matched (never from the URL the client wrote), and the worker checks them again here
 * before anything goes upstream: a path that is not already in its one plain spelling (percent
 * escapes, `;` parameters, backslashes, empty or dot segments) is refused, and so is any path not on
 * the list, so an encoded `%63onversation` or `%6de` can never reach the upstream as something the
 * gateway did not check.
 */
export type WebRelayKind = 'conversation' | 'me' | 'models' | 'accounts_check';

/** `accounts/check/<version>`: one plain segment (`v4-2023-04-27`). */
const CHECK_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const WEB_RELAY_PATHS = {
  conversation: '/backend-api/conversation',
  conversationF: '/backend-api/f/conversation',
  me: '/backend-api/me',
  models: '/backend-api/models',
} as const;

/** Whether a path is in its one plain spelling: no escapes, parameters, backslashes, control characters, empty or dot segments. */
export function isPlainPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (!path.startsWith('/') || /[%;\\?#\s\u0000-\u001f\u007f]/.test(path)) return false;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** What a relayed web path is, or null when the worker must not send it upstream. */
export function webRelayKindOf(path: string): WebRelayKind | null {
  if (!isPlainPath(path)) return null;
  if (path === WEB_RELAY_PATHS.conversation || path === WEB_RELAY_PATHS.conversationF) return 'conversation';
  if (path === WEB_RELAY_PATHS.me) return 'me';
  if (path === WEB_RELAY_PATHS.models) return 'models';
  const check = /^\/backend-api\/accounts\/check\/([^/]+)$/.exec(path);
  if (check && CHECK_VERSION.test(check[1])) return 'accounts_check';
  return null;
}

/** The upstream path of `accounts/check/<version>`, or null when the version is not one plain segment. */
export function accountsCheckPath(version: string): string | null {
  return CHECK_VERSION.test(version) ? `/backend-api/accounts/check/${version}` : null;
}
