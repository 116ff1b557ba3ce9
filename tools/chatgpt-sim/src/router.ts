// Request dispatch: a fixed table of method + path, checked by a map lookup per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, type Caller } from './auth.js';
import type { SimContext } from './context.js';
import { HttpError, sendJson } from './http.js';
import { accountsCheckRoute, conversationLimitRoute, meRoute, modelsRoute } from './routes/account-info.js';
import { behaviourRoute, createAccountRoute, resetRoute, speechPacingRoute, statsRoute } from './routes/control.js';
import { conversationRoute } from './routes/conversation.js';
import {
  genTitleRoute,
  getConversationRoute,
  listConversationsRoute,
  messageFeedbackRoute,
  patchAllConversationsRoute,
  patchConversationRoute,
} from './routes/conversations.js';
import { BLOB, blobGetRoute, blobPutRoute, createFileRoute, fileDownloadRoute, fileRouteOf, fileStatusRoute, fileUploadedRoute } from './routes/files.js';
import { oauthTokenRoute, sessionRoute } from './routes/tokens.js';
import { PLATFORM_PATHS, platformIdPath, platformRoute } from './platform/routes.js';
import { CODEX_BASE_PATH, codexCompactRoute, codexModelsRoute, codexResponsesRoute, whamUsageRoute, WHOAMI_PATH, whoamiRoute } from './codex/routes.js';
import { codexAccountRoute, codexAccessTokenRoute, codexLoginRoute, codexQuirksRoute, codexRequestsRoute } from './codex/control.js';
import { apiKeyBehaviourRoute, issueApiKeyRoute } from './platform/control.js';
import { synthesizeRoute, voiceTokenRoute } from './routes/voice.js';
import { DISCOVERY_PATH, discoveryRoute, JWKS_PATH, jwksControlRoute, jwksRoute } from './routes/issuer.js';

export { JWKS_PATH };

type Handler =
  | { auth: true; run: (ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller) => unknown }
  | { auth: false; run: (ctx: SimContext, req: IncomingMessage, res: ServerResponse) => unknown };

const conversation: Handler = { auth: true, run: conversationRoute };

const ROUTES: Record<string, Record<string, Handler>> = {
  '/backend-api/conversation': { POST: conversation },
  '/backend-api/f/conversation': { POST: conversation },
  '/backend-api/models': {
    GET: {
      auth: true,
      run: (ctx, _q, res, caller) => {
        ctx.stats.modelsRequest(caller.account.accountId);
        modelsRoute(res, caller);
      },
    },
  },
  '/backend-api/me': { GET: { auth: true, run: (_c, _q, res, caller) => meRoute(res, caller) } },
  '/backend-api/accounts/check/v4-2023-04-27': {
    GET: { auth: true, run: (_c, _q, res, caller) => accountsCheckRoute(res, caller) },
  },
  '/backend-api/conversations': {
    GET: { auth: true, run: listConversationsRoute },
    PATCH: { auth: true, run: patchAllConversationsRoute },
  },
  '/backend-api/conversation/message_feedback': { POST: { auth: true, run: messageFeedbackRoute } },
  '/public-api/conversation_limit': { GET: { auth: true, run: (_c, _q, res) => conversationLimitRoute(res) } },
  '/backend-api/synthesize': { GET: { auth: true, run: synthesizeRoute } },
  '/voice/get_token': { POST: { auth: true, run: voiceTokenRoute } },
  '/oauth/token': { POST: { auth: false, run: oauthTokenRoute } },
  [JWKS_PATH]: { GET: { auth: false, run: (ctx, _q, res) => jwksRoute(ctx, res) } },
  [DISCOVERY_PATH]: { GET: { auth: false, run: discoveryRoute } },
  '/_sim/jwks': { POST: { auth: false, run: jwksControlRoute } },
  '/api/auth/session': { GET: { auth: false, run: sessionRoute } },
  '/backend-api/files': { POST: { auth: true, run: createFileRoute } },
  '/_sim/accounts': { POST: { auth: false, run: createAccountRoute } },
  '/_sim/behaviour': { POST: { auth: false, run: behaviourRoute } },
  '/_sim/stats': { GET: { auth: false, run: (ctx, _q, res) => statsRoute(ctx, res) } },
  '/_sim/reset': { POST: { auth: false, run: (ctx, _q, res) => resetRoute(ctx, res) } },
  '/_sim/api-keys': { POST: { auth: false, run: issueApiKeyRoute } },
  '/_sim/api-key-behaviour': { POST: { auth: false, run: apiKeyBehaviourRoute } },
  '/_sim/speech': { POST: { auth: false, run: speechPacingRoute } },
  // The Codex backend authenticates its own credentials (Codex logins, `at-` tokens).
  [`${CODEX_BASE_PATH}/responses`]: { POST: { auth: false, run: codexResponsesRoute } },
  [`${CODEX_BASE_PATH}/responses/compact`]: { POST: { auth: false, run: codexCompactRoute } },
  [`${CODEX_BASE_PATH}/models`]: { GET: { auth: false, run: codexModelsRoute } },
  '/backend-api/wham/usage': { GET: { auth: false, run: whamUsageRoute } },
  [WHOAMI_PATH]: { GET: { auth: false, run: whoamiRoute } },
  '/_sim/codex/logins': { POST: { auth: false, run: codexLoginRoute } },
  '/_sim/codex/access-tokens': { POST: { auth: false, run: codexAccessTokenRoute } },
  '/_sim/codex/account': { GET: { auth: false, run: codexAccountRoute }, POST: { auth: false, run: codexAccountRoute } },
  '/_sim/codex/quirks': { GET: { auth: false, run: codexQuirksRoute }, POST: { auth: false, run: codexQuirksRoute } },
  '/_sim/codex/requests': { GET: { auth: false, run: codexRequestsRoute }, DELETE: { auth: false, run: codexRequestsRoute } },
};

type IdHandler = (ctx: SimContext, id: string, req: IncomingMessage, res: ServerResponse, caller: Caller) => unknown;

// Paths with an id in them, tried in order only when no fixed path matched.
const ID_ROUTES: Array<{ pattern: RegExp; methods: Record<string, IdHandler> }> = [
  { pattern: /^\/backend-api\/conversation\/gen_title\/([^/]+)$/, methods: { POST: genTitleRoute } },
  {
    pattern: /^\/backend-api\/conversation\/([^/]+)$/,
    methods: {
      GET: (ctx, id, _req, res, caller) => getConversationRoute(ctx, id, res, caller),
      PATCH: patchConversationRoute,
    },
  },
];

function idRoute(path: string): { id: string; methods: Record<string, IdHandler> } | undefined {
  for (const route of ID_ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { id: decodeURIComponent(match[1]), methods: route.methods };
  }
  return undefined;
}

// The OpenAI platform API (API-key accounts): each path answers every method itself, in OpenAI's error envelope.
for (const path of PLATFORM_PATHS) {
  const platform: Handler = { auth: false, run: (ctx, req, res) => platformRoute(ctx, req, res, path) };
  ROUTES[path] = { GET: platform, POST: platform };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

async function dispatch(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req.url);
  // A private upstream gateway's key (`authkey`): recorded for every upstream call, never for control calls.
  const authKey = req.headers.authkey;
  if (typeof authKey === 'string' && !path.startsWith('/_sim/')) ctx.stats.authKey(authKey);
  const methods = ROUTES[path];
  if (!methods && (await dispatchPatternRoute(ctx, req, res, path))) return;
  const withId = methods ? undefined : idRoute(path);
  if (withId) {
    const run = withId.methods[req.method ?? 'GET'];
    if (!run) {
      sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: Object.keys(withId.methods).join(', ') });
      return;
    }
    const caller = authenticate(ctx, req, res);
    if (caller) await run(ctx, withId.id, req, res, caller);
    return;
  }
  if (!methods) {
    // Every /backend-api call needs a token, even one to a path the simulator does not serve.
    if (path.startsWith('/backend-api/') && !authenticate(ctx, req, res)) return;
    sendJson(res, 404, { detail: 'Not Found' });
    return;
  }
  const handler = methods[req.method ?? 'GET'];
  if (!handler) {
    sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: Object.keys(methods).join(', ') });
    return;
  }
  if (!handler.auth) {
    await handler.run(ctx, req, res);
    return;
  }
  const caller = authenticate(ctx, req, res);
  if (caller) await handler.run(ctx, req, res, caller);
}

/**
 * Paths with ids in them: stored platform responses, the blob store (PUT with an upload URL, GET with a read URL), a file's
 * status, uploaded mark and downloads. True when one answered. (One conversation's GET and PATCH
 * are in ID_ROUTES, with the other conversation management calls.)
 */
async function dispatchPatternRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const method = req.method ?? 'GET';
  // /v1/responses/{id}, …/cancel, …/input_items: the platform answers every method itself.
  if (platformIdPath(path)) {
    await platformRoute(ctx, req, res, path);
    return true;
  }
  const blob = BLOB.exec(path);
  if (blob && method === 'PUT') {
    await blobPutRoute(ctx, req, res, blob[1]);
    return true;
  }
  if (blob && method === 'GET') {
    blobGetRoute(ctx, req, res, blob[1]);
    return true;
  }
  const download = method === 'GET' ? fileRouteOf(path) : null;
  const file = download ? null : /^\/backend-api\/files\/([^/]+)(\/uploaded)?$/.exec(path);
  const fileAnswers = file !== null && (file[2] ? method === 'POST' : method === 'GET');
  if (!download && !fileAnswers) return false;
  const caller = authenticate(ctx, req, res);
  if (!caller) return true;
  if (download) fileDownloadRoute(ctx, req, res, caller, download);
  else if (file && file[2]) await fileUploadedRoute(ctx, req, res, caller, file[1]);
  else if (file) fileStatusRoute(ctx, res, caller, file[1]);
  return true;
}

export function handleRequest(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  dispatch(ctx, req, res).catch((err: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) sendJson(res, err.status, err.body);
    else sendJson(res, 500, { detail: 'Internal server error (simulator bug)', error: String(err) });
  });
}
