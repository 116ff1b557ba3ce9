// The platform API's routes under /v1: the key is checked (Bearer, or Azure's `api-key` header),
// an injected behaviour answers first, then the endpoint. Every request is counted per key and path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { header, HttpError, readJsonObject } from '../http.js';
import { chatCompletions, completions } from './chat.js';
import { embeddings, images, models, PLATFORM_MODELS, speech } from './media.js';
import { injected, PlatformError, sendPlatformError } from './respond.js';

type Endpoint = (res: ServerResponse, body: Record<string, unknown>, model: string, baseUrl: string) => void;

const POST_ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': (res, body, model) => chatCompletions(res, body, model),
  '/v1/completions': (res, body, model) => completions(res, body, model),
  '/v1/embeddings': (res, body, model) => embeddings(res, body, model),
  '/v1/images/generations': images,
  '/v1/audio/speech': (res, body) => speech(res, body),
};

export const PLATFORM_PATHS = [...Object.keys(POST_ENDPOINTS), '/v1/models'];

function keyOf(req: IncomingMessage): { key: string; azure: boolean } | null {
  const azureKey = header(req, 'api-key')?.trim();
  if (azureKey) return { key: azureKey, azure: true };
  const raw = header(req, 'authorization') ?? '';
  const match = /^bearer\s+(.+)$/i.exec(raw.trim());
  return match ? { key: match[1].trim(), azure: false } : null;
}

async function serve(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const isModels = path === '/v1/models';
  if ((isModels && method !== 'GET') || (!isModels && method !== 'POST')) throw new PlatformError(405, `Method ${method} not allowed on ${path}.`, 'invalid_request_error');
  const presented = keyOf(req);
  if (!presented) {
    throw new PlatformError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error');
  }
  const { key, azure } = presented;
  const record = ctx.platform.keys.known(key);
  let body: Record<string, unknown> = {};
  if (!isModels) {
    try {
      body = await readJsonObject(req);
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) throw new PlatformError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      throw err;
    }
  }
  const url = new URL(req.url ?? '/', 'http://sim');
  ctx.stats.platformRequest(key, path, {
    path,
    body: isModels ? null : body,
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
  if (isModels) return models(res, record.models);
  if (!model) throw new PlatformError(400, 'you must provide a model parameter', 'invalid_request_error');
  if (!(record.models ?? PLATFORM_MODELS).includes(model)) {
    throw new PlatformError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
  }
  const host = header(req, 'host') ?? '127.0.0.1';
  res.once('close', () => {
    if (!res.writableFinished) ctx.stats.platformAborted();
  });
  POST_ENDPOINTS[path](res, body, model, `http://${host}`);
}

/** The /v1 platform routes; answers in OpenAI's error envelope whatever goes wrong. */
export function platformRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  return serve(ctx, req, res, path).catch((err: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof PlatformError) return sendPlatformError(res, err);
    if (err instanceof HttpError) return sendPlatformError(res, new PlatformError(err.status, err.message, 'invalid_request_error'));
    throw err;
  });
}
