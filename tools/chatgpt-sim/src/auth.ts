// Bearer authentication for /backend-api and /public-api.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountRecord } from './accounts.js';
import type { SimContext } from './context.js';
import { sendAuthError } from './failures.js';
import { header } from './http.js';

export interface Caller {
  account: AccountRecord;
  /** ChatGPT-Account-Id, or the `<token>,<account id>` suffix of the bearer. */
  workspace?: string;
}

/** The caller, or undefined after answering 401. */
export function authenticate(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Caller | undefined {
  const raw = header(req, 'authorization') ?? '';
  const bearer = /^bearer\s+/i.exec(raw) ? raw.replace(/^bearer\s+/i, '').trim() : '';
  const comma = bearer.indexOf(',');
  const token = comma >= 0 ? bearer.slice(0, comma).trim() : bearer;
  if (!token) {
    sendAuthError(res, 'invalid_jwt');
    return undefined;
  }
  const result = ctx.accounts.authenticate(token);
  if (!result.ok) {
    sendAuthError(res, result.code);
    return undefined;
  }
  const workspace = header(req, 'chatgpt-account-id')?.trim() || (comma >= 0 ? bearer.slice(comma + 1).trim() : undefined);
  return { account: result.account, workspace: workspace || undefined };
}
