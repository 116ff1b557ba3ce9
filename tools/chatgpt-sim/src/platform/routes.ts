// The platform API's routes under /v1: the key is checked (Bearer, or Azure's `api-key` header),
// an injected behaviour answers first, then the endpoint. Every request is counted per key and
// path (paths with an id under their template, e.g. /v1/responses/{id}).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { header, HttpError, readJsonObject } from '../http.js';
import { ResponsesApiError, sendResponsesError } from '../responses/errors.js';
import type { PlatformCall, PlatformEndpoint } from './call.js';
import { chatCompletions, completions } from './chat.js';
import { embeddings, images, models, PLATFORM_MODELS, speech } from './media.js';
import { injected, PlatformError, sendPlatformError } from './respond.js';
import { cancelResponse, compactResponses, countInputTokens, createResponse, deleteResponse, listInputItems, retrieveResponse } from './responses.js';

const post = (run: PlatformEndpoint['run'], model: PlatformEndpoint['model'] = 'required'): PlatformEndpoint => ({ method: 'POST', model, run });

const ENDPOINTS: Record<string, PlatformEndpoint> = {
  '/v1/chat/completions': post((c) => chatCompletions(c.res, c.body, c.model)),
  '/v1/completions': post((c) => completions(c.res, c.body, c.model)),
  '/v1/embeddings': post((c) => embeddings(c.res, c.body, c.model)),
  '/v1/images/generations': post((c) => images(c.res, c.body, c.model, c.baseUrl)),
  '/v1/audio/speech': post((c) => speech(c.res, c.body)),
  '/v1/models': { method: 'GET', model: 'none', run: (c) => models(c.res, c.keyModels) },
  '/v1/responses': post(createResponse),
  '/v1/responses/compact': post(compactResponses),
  '/v1/responses/input_tokens': post(countInputTokens, 'optional'),
};

export const PLATFORM_PATHS = Object.keys(ENDPOINTS);

const ID_ENDPOINTS: Array<{ pattern: RegExp; template: string; endpoints: PlatformEndpoint[] }> = [
  { pattern: /^\/v1\/responses\/([^/]+)$/, template: '/v1/responses/{id}', endpoints: [{ method: 'GET', model: 'none', run: retrieveResponse }, { method: 'DELETE', model: 'none', run: deleteResponse }] },
  { pattern: /^\/v1\/responses\/([^/]+)\/cancel$/, template: '/v1/responses/{id}/cancel', endpoints: [{ method: 'POST', model: 'none', run: cancelResponse }] },
  { pattern: /^\/v1\/responses\/([^/]+)\/input_items$/, template: '/v1/responses/{id}/input_items', endpoints: [{ method: 'GET', model: 'none', run: listInputItems }] },
];

/** A platform path with an id in it (/v1/responses/{id}…), or undefined; fixed paths (/v1/responses/compact) are not ids. */
export function platformIdPath(path: string): { template: string; id: string } | undefined {
  if (ENDPOINTS[path]) return undefined;
  for (const route of ID_ENDPOINTS) {
    const match = route.pattern.exec(path);
    if (match) return { template: route.template, id: decodeURIComponent(match[1]) };
  }
  return undefined;
}

function endpointFor(template: string, method: string): PlatformEndpoint | undefined {
  const fixed = ENDPOINTS[template];
  if (fixed) return fixed.method === method ? fixed : undefined;
  return ID_ENDPOINTS.find((r) => r.template === template)?.endpoints.find((e) => e.method === method);
}

function keyOf(req: IncomingMessage): { key: string; azure: boolean } | null {
  const azureKey = header(req, 'api-key')?.trim();
  if (azureKey) return { key: azureKey, azure: true };
  const raw = header(req, 'authorization') ?? '';
  const match = /^bearer\s+(.+)$/i.exec(raw.trim());
  return match ? { key: match[1].trim(), azure: false } : null;
}

async function serve(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string, template: string, id: string | null): Promise<void> {
  const method = req.method ?? 'GET';
  const endpoint = endpointFor(template, method);
  if (!endpoint) throw new PlatformError(405, `Method ${method} not allowed on ${path}.`, 'invalid_request_error');
  const presented = keyOf(req);
  if (!presented) {
    throw new PlatformError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error');
  }
  const { key, azure } = presented;
  const record = ctx.platform.keys.known(key);
  let body: Record<string, unknown> = {};
  if (method === 'POST') {
    try {
      body = await readJsonObject(req);
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) throw new PlatformError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      throw err;
    }
  }
  const url = new URL(req.url ?? '/', 'http://sim');
  ctx.stats.platformRequest(key, template, {
    path,
    body: method === 'POST' ? body : null,
    azure,
    apiVersion: url.searchParams.get('api-version'),
    organization: header(req, 'openai-organization') ?? null,
  });
  if (!record) {
    throw new PlatformError(401, `Incorrect API key provided: ${key.slice(0, 3)}*****${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key');
  }
  const model = typeof body.model === 'string' ? body.model : '';
  const failure = ctx.platform.keys.takeFailure(key);
  if (failure) throw injected(failure, key, model);
  if (endpoint.model === 'required' && !model) throw new PlatformError(400, 'you must provide a model parameter', 'invalid_request_error');
  if (endpoint.model !== 'none' && model && !(record.models ?? PLATFORM_MODELS).includes(model)) {
    throw new PlatformError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
  }
  const host = header(req, 'host') ?? '127.0.0.1';
  res.once('close', () => {
    if (!res.writableFinished) ctx.stats.platformAborted();
  });
  const call: PlatformCall = { ctx, req, res, key, keyModels: record.models, body, model, baseUrl: `http://${host}`, id };
  await endpoint.run(call);
}

/** The /v1 platform routes; answers in OpenAI's error envelope whatever goes wrong. `path` may carry an id (see platformIdPath). */
export function platformRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const withId = platformIdPath(path);
  return serve(ctx, req, res, path, withId?.template ?? path, withId?.id ?? null).catch((err: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof PlatformError) return sendPlatformError(res, err);
    if (err instanceof ResponsesApiError) return sendResponsesError(res, err);
    if (err instanceof HttpError) return sendPlatformError(res, new PlatformError(err.status, err.message, 'invalid_request_error'));
    throw err;
  });
}
