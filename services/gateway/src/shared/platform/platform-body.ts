import { invalidValue, missingParameter, modelNameSchema, notAnObject, type PlatformRelayPath } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';

/** A client body for a platform path: a JSON object; anything else is a 400 before a worker is asked. */
export function platformBodyOf(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw ApiError.fromBus(notAnObject());
  return raw as Record<string, unknown>;
}

/**
 * The model a platform request names, checked just enough to route, limit and lease it; every
 * other field is the upstream's to judge (its 400 reaches the client unchanged). An image request
 * without a model is OpenAI's default, `dall-e-2`, written into the body so routing, limits,
 * leasing and usage all name the model the upstream will use. The model is checked as every
 * route checks it (the contracts' `modelNameSchema`): it reaches usage events and logs.
 */
export function platformModelOf(path: PlatformRelayPath, body: Record<string, unknown>): string {
  if (path === '/images/generations' && body.model === undefined) body.model = 'dall-e-2';
  if (body.model === undefined || body.model === null) throw ApiError.fromBus(missingParameter('model'));
  if (typeof body.model !== 'string' || !body.model.trim()) throw ApiError.fromBus(invalidValue('model', 'expected a model name.'));
  const checked = modelNameSchema.safeParse(body.model);
  if (!checked.success) throw ApiError.fromBus(invalidValue('model', `${checked.error.issues[0].message}.`));
  if (path === '/chat/completions') {
    if (body.messages === undefined || body.messages === null) throw ApiError.fromBus(missingParameter('messages'));
    if (!Array.isArray(body.messages)) throw ApiError.fromBus(invalidValue('messages', 'expected an array of messages.'));
  }
  return body.model;
}
