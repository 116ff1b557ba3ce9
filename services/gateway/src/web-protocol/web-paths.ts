import { requestFailure } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';

/**
 * The ChatGPT web backend paths chatgate answers, and those it refuses. `/chatgpt/<x>` is
 * go-chatgpt-api's name for `/backend-api/<x>`.
 */

/** Account-management and payment paths: never relayed for anyone (chatgate users do not manage the accounts behind it). */
const REFUSED = [
  'accounts/deactivate',
  'accounts/logout_all',
  'payments',
  'subscriptions',
  'settings',
  'memories',
  'user_system_messages',
  'admin',
  'billing',
];

/** The path under the web backend (`me`, `accounts/check/v4-2023-04-27`), or null when the URL is not one. */
export function webPathOf(url: string): string | null {
  const q = url.indexOf('?');
  const path = (q >= 0 ? url.slice(0, q) : url).replace(/\/+$/, '');
  const m = /(?:^|\/)(?:backend-api|chatgpt)\/(.+)$/.exec(path);
  return m ? m[1] : null;
}

/** Whether a web path is one gateway users may not reach: the list above, and any `accounts/…` but `accounts/check`. */
export function isRefusedWebPath(webPath: string): boolean {
  const p = webPath.replace(/^\/+/, '').toLowerCase();
  if (REFUSED.some((r) => p === r || p.startsWith(`${r}/`))) return true;
  return p.startsWith('accounts/') && !p.startsWith('accounts/check/');
}

/**
 * A relayed path is taken only in its one plain spelling: the router decodes `%6de` to `me`, but
 * checks and rewrites that look at the path must see what the upstream will, so any percent escape
 * or `;` parameter in the path is a 400 (the query may carry both).
 */
export function refuseUnplainPath(url: string): void {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  if (/[%;]/.test(path)) {
    throw ApiError.fromBus(
      requestFailure('invalid_request', 'The path of a ChatGPT web request must be written plainly: percent escapes and `;` parameters are not accepted. Write it as /backend-api/conversation, /backend-api/me, ….'),
    );
  }
}

/** The raw query string of a URL, without `?`. */
export function queryOf(url: string): string {
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(q + 1) : '';
}
