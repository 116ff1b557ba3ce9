// /_sim/* : control of a separately running simulator (docker demo, benchmarks). Unauthenticated
// on purpose: the simulator holds nothing but fake credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toSimAccount } from '../accounts.js';
import type { SimContext } from '../context.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';
import { isFailKind, isPlan, PLANS, type IssueAccountOptions } from '../types.js';
import { resetCodex } from '../codex/admin.js';

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(400, { detail: `${field} must be a number` });
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new HttpError(400, { detail: `${field} must be a non-empty string` });
  return value;
}

export async function createAccountRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  const opts: IssueAccountOptions = {
    email: optionalString(body.email, 'email'),
    accountId: optionalString(body.accountId, 'accountId'),
    expiresInSec: optionalNumber(body.expiresInSec, 'expiresInSec'),
  };
  if (body.plan !== undefined && body.plan !== null) {
    if (!isPlan(body.plan)) throw new HttpError(400, { detail: `plan must be one of ${PLANS.join(', ')}` });
    opts.plan = body.plan;
  }
  sendJson(res, 200, toSimAccount(ctx.accounts.issue(opts)));
}

export async function behaviourRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  const account = optionalString(body.account, 'account');
  if (!account) throw new HttpError(400, { detail: 'account (account id or email) is required' });
  // fail absent, null or "none" clears the account's behaviour.
  if (body.fail === undefined || body.fail === null || body.fail === 'none') {
    ctx.behaviours.set(account, null);
    sendJson(res, 200, { ok: true, account, behaviour: null });
    return;
  }
  if (!isFailKind(body.fail)) throw new HttpError(400, { detail: `unknown fail kind ${JSON.stringify(body.fail)}` });
  const behaviour = {
    fail: body.fail,
    times: optionalNumber(body.times, 'times'),
    clearsIn: optionalNumber(body.clearsIn ?? body.clears_in, 'clearsIn'),
  };
  ctx.behaviours.set(account, behaviour);
  sendJson(res, 200, { ok: true, account, behaviour });
}

export function statsRoute(ctx: SimContext, res: ServerResponse): void {
  sendJson(res, 200, ctx.stats.snapshot());
}

/** Synthesize's pacing for a separately running simulator: `{packetDelayMs?, cutAfterPackets?}` (null: no cut). */
export async function speechPacingRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  const delay = optionalNumber(body.packetDelayMs, 'packetDelayMs');
  if (delay !== undefined) {
    if (delay < 0) throw new HttpError(400, { detail: 'packetDelayMs must not be negative' });
    ctx.speech.packetDelayMs = delay;
  }
  if (body.cutAfterPackets === null) ctx.speech.cutAfterPackets = null;
  else {
    const cut = optionalNumber(body.cutAfterPackets, 'cutAfterPackets');
    if (cut !== undefined) ctx.speech.cutAfterPackets = cut;
  }
  sendJson(res, 200, { ok: true, speech: ctx.speech });
}

/** Resets the counters, lifts every behaviour, the key set's outage, the speech pacing and the Codex switches and forced failures, so benchmark runs start clean. */
export function resetRoute(ctx: SimContext, res: ServerResponse): void {
  ctx.stats.reset();
  resetCodex(ctx);
  ctx.behaviours.clear();
  ctx.platform.keys.clearBehaviours();
  ctx.speech.packetDelayMs = 0;
  ctx.speech.cutAfterPackets = null;
  ctx.issuer.jwksAvailable = true;
  sendJson(res, 200, { ok: true });
}
