// /_sim/api-keys and /_sim/api-key-behaviour: platform keys for a separately running simulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';
import { API_KEY_FAIL_KINDS, type ApiKeyFailKind } from './keys.js';

export async function issueApiKeyRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  if (body.models !== undefined && !(Array.isArray(body.models) && body.models.every((m) => typeof m === 'string'))) throw new HttpError(400, { detail: 'models must be an array of strings' });
  sendJson(res, 200, { key: ctx.platform.keys.issue({ models: body.models as string[] | undefined }) });
}

export async function apiKeyBehaviourRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  if (typeof body.key !== 'string' || !body.key) throw new HttpError(400, { detail: 'key is required' });
  if (body.fail === undefined || body.fail === null || body.fail === 'none') {
    ctx.platform.keys.setBehaviour(body.key, null);
    sendJson(res, 200, { ok: true, key: body.key, behaviour: null });
    return;
  }
  if (!API_KEY_FAIL_KINDS.includes(body.fail as ApiKeyFailKind)) throw new HttpError(400, { detail: `fail must be one of ${API_KEY_FAIL_KINDS.join(', ')}` });
  const times = typeof body.times === 'number' ? body.times : undefined;
  const retryAfter = typeof body.retryAfter === 'number' || typeof body.retryAfter === 'string' || body.retryAfter === null ? body.retryAfter : undefined;
  const behaviour = { fail: body.fail as ApiKeyFailKind, times, retryAfter };
  ctx.platform.keys.setBehaviour(body.key, behaviour);
  sendJson(res, 200, { ok: true, key: body.key, behaviour });
}
