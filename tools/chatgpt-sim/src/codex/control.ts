// /_sim/codex/* : the Codex controls for a separately running simulator (the same as sim.codex).
// Unauthenticated on purpose: the simulator holds nothing but fake credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';
import { isPlan, PLANS, type CodexAccountUpdate, type CodexLoginOptions } from '../types.js';
import { codexAccessToken, codexAccountView, codexLogin, findAccount, updateCodexAccount } from './admin.js';
import { applyQuirks } from './quirks.js';

function loginOptions(body: Record<string, unknown>): CodexLoginOptions {
  const opts: CodexLoginOptions = {};
  for (const field of ['account', 'email', 'accountId'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value === '') throw new HttpError(400, { detail: `${field} must be a non-empty string` });
    opts[field] = value;
  }
  if (body.plan !== undefined && body.plan !== null) {
    if (!isPlan(body.plan)) throw new HttpError(400, { detail: `plan must be one of ${PLANS.join(', ')}` });
    opts.plan = body.plan;
  }
  if (body.expiresInSec !== undefined && body.expiresInSec !== null) {
    if (typeof body.expiresInSec !== 'number') throw new HttpError(400, { detail: 'expiresInSec must be a number' });
    opts.expiresInSec = body.expiresInSec;
  }
  return opts;
}

/** POST /_sim/codex/logins `{account? | email?, plan?, accountId?, expiresInSec?}` → a Codex login with its auth file. */
export async function codexLoginRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, codexLogin(ctx, loginOptions(await readJsonObject(req))));
}

/** POST /_sim/codex/access-tokens (same body) → `{accessToken: "at-…", accountId, email, plan}`. */
export async function codexAccessTokenRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, codexAccessToken(ctx, loginOptions(await readJsonObject(req))));
}

/** GET /_sim/codex/account?account=… reads an account's Codex state; POST `{account, …CodexAccountUpdate}` changes it. */
export async function codexAccountRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    const account = new URL(req.url ?? '/', 'http://sim').searchParams.get('account');
    if (!account) throw new HttpError(400, { detail: 'account (account id or email) is required' });
    sendJson(res, 200, codexAccountView(ctx, findAccount(ctx, account)));
    return;
  }
  const { account, ...update } = await readJsonObject(req);
  if (typeof account !== 'string' || account === '') throw new HttpError(400, { detail: 'account (account id or email) is required' });
  sendJson(res, 200, updateCodexAccount(ctx, account, update as CodexAccountUpdate));
}

/** GET /_sim/codex/quirks reads the switches; POST with some of them changes those. */
export async function codexQuirksRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'POST') {
    const error = applyQuirks(ctx.codex.quirks, await readJsonObject(req));
    if (error) throw new HttpError(400, { detail: error });
  }
  sendJson(res, 200, ctx.codex.quirks);
}

/** GET /_sim/codex/requests: the records, credentials masked unless `?reveal=1`; DELETE clears them. */
export function codexRequestsRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'DELETE') {
    ctx.codex.records.clear();
    sendJson(res, 200, { ok: true });
    return;
  }
  const reveal = new URL(req.url ?? '/', 'http://sim').searchParams.get('reveal') === '1';
  sendJson(res, 200, { requests: reveal ? ctx.codex.records.all() : ctx.codex.records.masked() });
}
