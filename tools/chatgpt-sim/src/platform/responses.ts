// The public Responses API (reference §6) for API keys: POST /v1/responses streamed (every event
// with sequence_number, in the SDK helpers' order, no [DONE]) and not, stored per key by default
// (store: true) with GET / DELETE /v1/responses/{id}, cancel (background responses),
// input_items, previous_response_id continuing the stored conversation, /compact and
// /input_tokens. The model's turn is the shared deterministic plan (responses/plan.ts).
import { sendJson } from '../http.js';
import { ResponsesEncoder, streamError } from '../responses/encoder.js';
import { ResponsesApiError, badRequest } from '../responses/errors.js';
import { checkItems, isObject, normalizeInput, partsOf, responsesInputTokens, type Item } from '../responses/items.js';
import { responseObject, type ResponseFields } from '../responses/object.js';
import { itemId, outputOf, planTurn } from '../responses/plan.js';
import { compact } from '../responses/compaction.js';
import { midStreamFailure, runResponsesStream } from '../responses/run.js';
import type { PlatformCall } from './call.js';
import type { StoredResponse } from './response-store.js';

const ID_PREFIXES: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco', custom_tool_call: 'ctc', custom_tool_call_output: 'ctco', reasoning: 'rs', compaction: 'cmp' };

/** This request's input as stored: every item gets an id (the client's, if it sent one), message content as parts. */
function withIds(items: Item[]): Item[] {
  return items.map((item) => {
    const stored = item.type === 'message' ? { ...item, content: partsOf(item).map((p) => (p.type === 'output_text' ? { annotations: [], ...p } : p)) } : item;
    return typeof item.id === 'string' ? stored : { id: itemId(ID_PREFIXES[String(item.type)] ?? 'item'), ...stored };
  });
}

function notFound(id: string): ResponsesApiError {
  return new ResponsesApiError(404, `Response with id '${id}' not found.`);
}

function stored(call: PlatformCall): StoredResponse {
  const found = call.ctx.platform.responses.get(call.key, call.id!);
  if (!found) throw notFound(call.id!);
  return found;
}

/** The stored conversation previous_response_id continues (empty without one); 404 for an id this key does not hold. */
function history(call: PlatformCall): { previous: string | null; items: Item[] } {
  const previous = call.body.previous_response_id;
  if (previous === undefined || previous === null) return { previous: null, items: [] };
  const found = typeof previous === 'string' ? call.ctx.platform.responses.get(call.key, previous) : undefined;
  if (!found) throw new ResponsesApiError(404, `Previous response with id '${String(previous)}' not found.`, 'previous_response_id', 'previous_response_not_found');
  return { previous: found.id, items: found.conversation };
}

function checkInput(body: Record<string, unknown>): void {
  if (body.input === undefined && body.previous_response_id === undefined) throw badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw badRequest("Invalid type for 'input': expected one of a string or array of input items, but got an object instead.", 'input', 'invalid_type');
  }
}

function checkCreateBody(body: Record<string, unknown>): void {
  checkInput(body);
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 16)) {
    throw badRequest(`Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${String(max)} instead.`, 'max_output_tokens', 'integer_below_min_value');
  }
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : null;
  if (format?.type === 'json_schema' && typeof format.name !== 'string') throw badRequest("Missing required parameter: 'text.format.name'.", 'text.format.name', 'missing_required_parameter');
  if (body.background === true && body.store === false) throw badRequest('Background mode requires store to be true.', 'background');
}

export function createResponse(call: PlatformCall): void {
  const { ctx, res, key, body, model } = call;
  checkCreateBody(body);
  const past = history(call);
  const input = withIds(normalizeInput(body.input ?? []));
  const items = [...past.items, ...input];
  checkItems(items, ctx.sealer, past.items.length);
  const store = body.store !== false;
  const background = body.background === true;
  // The stored history is read from cache, as the API reports for a continued conversation.
  const turn = planTurn({ body, items, model, sealer: ctx.sealer, cachedTokens: responsesInputTokens(past.items) });
  const d = turn.directives;
  const id = itemId('resp');
  const createdAt = Math.floor(Date.now() / 1000);
  const build = (fields: Pick<ResponseFields, 'status' | 'output' | 'usage' | 'error' | 'incompleteReason'>) =>
    responseObject(body, { id, createdAt, model, store, background, previousResponseId: past.previous, ...fields });
  const final = build({ status: turn.status, output: outputOf(turn), usage: turn.usage, incompleteReason: turn.incompleteReason });
  const record: StoredResponse = { id, key, object: final, inputItems: input, conversation: [...items, ...outputOf(turn)], timer: null };

  if (body.stream === true) {
    const encoder = new ResponsesEncoder(turn, { response: build, emptyCompletedOutput: false, errorEvent: d.errorEvent === true, error: streamError(d.errorCode, model, d.clearsIn) });
    if (store) ctx.platform.responses.put({ ...record, object: build({ status: 'in_progress', output: [], usage: null }) });
    runResponsesStream(ctx, res, encoder, d, midStreamFailure(d.fail ? { kind: d.fail } : undefined, d), () => {
      const kept = store ? ctx.platform.responses.get(key, id) : undefined;
      if (kept) kept.object = encoder.failed() ? build({ status: 'failed', output: [], usage: null, error: streamError(d.errorCode, model, d.clearsIn) }) : final;
    });
    return;
  }
  if (background) {
    // Runs "in the background" for [[sim ttfb=MS]] (default: it completes on the next turn of the event loop).
    const queued = build({ status: 'queued', output: [], usage: null });
    const entry: StoredResponse = { ...record, object: queued };
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.object = final;
    }, d.ttfb ?? 0);
    entry.timer.unref();
    ctx.platform.responses.put(entry);
    sendJson(res, 200, queued);
    return;
  }
  if (store) ctx.platform.responses.put(record);
  sendJson(res, 200, final);
}

export function retrieveResponse(call: PlatformCall): void {
  sendJson(call.res, 200, stored(call).object);
}

export function deleteResponse(call: PlatformCall): void {
  if (!call.ctx.platform.responses.delete(call.key, call.id!)) throw notFound(call.id!);
  sendJson(call.res, 200, { id: call.id, object: 'response', deleted: true });
}

/** Cancels a background response still queued or running; any other is refused. */
export function cancelResponse(call: PlatformCall): void {
  const found = stored(call);
  const status = String(found.object.status);
  if (found.object.background !== true) throw badRequest('Only responses created with background=true can be cancelled.');
  if (status !== 'queued' && status !== 'in_progress') throw badRequest(`Cannot cancel a response with status '${status}'.`);
  if (found.timer) clearTimeout(found.timer);
  found.timer = null;
  found.object = { ...found.object, status: 'cancelled' };
  sendJson(call.res, 200, found.object);
}

/** The request's input items, newest first by default (`order`, `limit` 1–100, `after` an item id). */
export function listInputItems(call: PlatformCall): void {
  const found = stored(call);
  const query = new URL(call.req.url ?? '/', 'http://sim').searchParams;
  const order = query.get('order') === 'asc' ? 'asc' : 'desc';
  const limit = Math.min(100, Math.max(1, Number.parseInt(query.get('limit') ?? '20', 10) || 20));
  let items = order === 'asc' ? [...found.inputItems] : [...found.inputItems].reverse();
  const after = query.get('after');
  if (after) items = items.slice(items.findIndex((i) => i.id === after) + 1);
  const data = items.slice(0, limit);
  sendJson(call.res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: items.length > limit });
}

export function compactResponses(call: PlatformCall): void {
  const { ctx, res, body } = call;
  checkInput(body);
  const past = history(call);
  const items = [...past.items, ...normalizeInput(body.input ?? [])];
  checkItems(items, ctx.sealer, past.items.length);
  const { output, usage } = compact(items, body.instructions, ctx.sealer, true);
  sendJson(res, 200, { id: itemId('cmp'), object: 'response.compaction', created_at: Math.floor(Date.now() / 1000), output, usage });
}

export function countInputTokens(call: PlatformCall): void {
  checkInput(call.body);
  const past = history(call);
  const items = [...past.items, ...normalizeInput(call.body.input ?? [])];
  sendJson(call.res, 200, { object: 'response.input_tokens', input_tokens: responsesInputTokens(items, call.body.instructions) });
}

