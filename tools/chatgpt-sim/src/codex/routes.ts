// The Codex backend's routes (reference §1, §3): POST /backend-api/codex/responses (SSE only),
// POST /backend-api/codex/responses/compact (unary), GET /backend-api/codex/models, GET
// /backend-api/wham/usage, and the whoami of Codex access tokens at the auth base.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { isHttpFailKind } from '../failures.js';
import { header, sendJson } from '../http.js';
import { planReply } from '../reply.js';
import { streamError, ResponsesEncoder } from '../responses/encoder.js';
import { ResponsesApiError } from '../responses/errors.js';
import { checkItems, lastUserMessage, normalizeInput, responsesInputTokens, userText } from '../responses/items.js';
import { responseObject } from '../responses/object.js';
import { itemId, planTurn } from '../responses/plan.js';
import { compact } from '../responses/compaction.js';
import { midStreamFailure, runResponsesStream } from '../responses/run.js';
import { authenticateCodex, bearerOf, openCodexCall, sendAuthFailure, sendCodexError, sendCodexFailure, type CodexCall } from './access.js';
import { catalog, catalogEtag } from './catalog.js';
import { consume, exhaustedUntil, usageBody, usageLimitBody } from './limits.js';
import { checkCodexItems, checkCompactBody, checkModel, checkResponsesBody, CodexReject, parseJsonBody } from './rules.js';

export const CODEX_BASE_PATH = '/backend-api/codex';
export const WHOAMI_PATH = '/api/accounts/v1/user-auth-credential/whoami';

/** Runs a handler body, answering the backend's refusals with the account's headers. */
async function answering(ctx: SimContext, res: ServerResponse, call: CodexCall, run: () => void | Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof CodexReject || err instanceof ResponsesApiError) sendCodexError(ctx, res, err, call.headers());
    else throw err;
  }
}

/** A 429 usage_limit_reached while a window is used up or a test forces one; true when it answered. */
function limited(ctx: SimContext, res: ServerResponse, call: CodexCall): boolean {
  const until = exhaustedUntil(ctx.codex.accounts.of(call.account).limits);
  if (until === null) return false;
  sendJson(res, 429, usageLimitBody(call.account.plan, until), call.headers());
  return true;
}

export async function codexResponsesRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = await openCodexCall(ctx, req, res, 'responses', `${CODEX_BASE_PATH}/responses`);
  if (!call) return;
  await answering(ctx, res, call, () => {
    const { account } = call;
    const quirks = ctx.codex.quirks;
    const body = parseJsonBody(call.raw, header(req, 'content-type'), quirks);
    checkResponsesBody(body, quirks);
    const items = normalizeInput(body.input);
    checkCodexItems(items, quirks);
    checkItems(items, ctx.sealer);
    const model = body.model as string;
    const models = ctx.codex.accounts.models(account);
    checkModel(model, models);
    // The account's state comes first; a directive only speaks for this one request.
    const d = planReply(userText(lastUserMessage(items)), model).directives;
    const failure = call.failure ?? (d.fail ? { kind: d.fail, clearsIn: d.clearsIn } : undefined);
    if (failure && isHttpFailKind(failure.kind)) return sendCodexFailure(res, failure.kind, account, call.headers(), failure.clearsIn);
    if (limited(ctx, res, call)) return;

    const cached = ctx.codex.accounts.cacheHit(account, body.prompt_cache_key, responsesInputTokens(items, body.instructions));
    const turn = planTurn({ body, items, model, sealer: ctx.sealer, cachedTokens: cached });
    const id = itemId('resp');
    const createdAt = Math.floor(Date.now() / 1000);
    const encoder = new ResponsesEncoder(turn, {
      response: (fields) => responseObject(body, { id, createdAt, model, store: false, ...fields }),
      emptyCompletedOutput: (d.output ?? (quirks.emptyCompletedOutput ? 'empty' : 'full')) === 'empty',
      errorEvent: d.errorEvent === true,
      error: streamError(d.errorCode, model, d.clearsIn),
    });
    for (const [name, value] of Object.entries({ ...call.headers(), 'x-models-etag': catalogEtag(models) })) res.setHeader(name, value);
    const midStream = midStreamFailure(failure, d);
    runResponsesStream(ctx, res, encoder, d, midStream, (outcome) => {
      ctx.stats.codexStreamEnded(outcome);
      if (outcome === 'completed' && !midStream) consume(ctx.codex.accounts.of(account).limits);
    });
  });
}

export async function codexCompactRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = await openCodexCall(ctx, req, res, 'compact', `${CODEX_BASE_PATH}/responses/compact`);
  if (!call) return;
  await answering(ctx, res, call, () => {
    const quirks = ctx.codex.quirks;
    const body = parseJsonBody(call.raw, header(req, 'content-type'), quirks);
    checkCompactBody(body, quirks);
    const items = normalizeInput(body.input);
    checkCodexItems(items, quirks);
    checkItems(items, ctx.sealer);
    checkModel(body.model as string, ctx.codex.accounts.models(call.account));
    if (limited(ctx, res, call)) return;
    const { output, usage } = compact(items, body.instructions, ctx.sealer, false);
    sendJson(res, 200, { id: itemId('resp'), object: 'response.compaction', created_at: Math.floor(Date.now() / 1000), output, usage }, call.headers());
  });
}

export async function codexModelsRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = await openCodexCall(ctx, req, res, 'models', `${CODEX_BASE_PATH}/models`);
  if (!call) return;
  await answering(ctx, res, call, () => {
    const version = new URL(req.url ?? '/', 'http://sim').searchParams.get('client_version');
    if (!version && ctx.codex.quirks.requireClientVersion) throw new CodexReject(400, 'Missing required query parameter: client_version');
    // Without a version (quirk off) the client is taken to be current: everything is listed.
    const { body, etag } = catalog(ctx.codex.accounts.models(call.account), version || '9999.0.0');
    if (header(req, 'if-none-match') === etag) {
      res.writeHead(304, { ...call.headers(), etag });
      res.end();
      return;
    }
    sendJson(res, 200, body, { ...call.headers(), etag });
  });
}

export async function whamUsageRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = await openCodexCall(ctx, req, res, 'usage', '/backend-api/wham/usage');
  if (!call) return;
  sendJson(res, 200, usageBody(ctx.codex.accounts.of(call.account).limits, call.account.plan), call.headers());
}

/** GET <auth base>/api/accounts/v1/user-auth-credential/whoami: who a Codex credential (an `at-` token above all) belongs to. */
export function whoamiRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  const record = ctx.codex.records.start(req, res, WHOAMI_PATH);
  const auth = authenticateCodex(ctx, bearerOf(req));
  ctx.stats.codexCall('whoami', auth.ok ? auth.account.accountId : null);
  if (!auth.ok) return sendAuthFailure(res, auth.code);
  record.accountId = auth.account.accountId;
  const { account } = auth;
  sendJson(res, 200, {
    chatgpt_account_id: account.accountId,
    chatgpt_plan_type: account.plan,
    chatgpt_user_id: account.userId,
    email: account.email,
    chatgpt_account_is_fedramp: false,
  });
}
