import { isObject } from './json.js';
import { errorEventFields, responseEchoOf, responseEventFrame, responseObject, type ResponseEcho } from './response-object.js';
import { ResponseAccumulator, usageOf, type AccumulatedResponse } from './responses-stream.js';
import type { JsonObject, ResponseObject, ResponseStatus, ResponseStreamEvent } from './responses-types.js';

/**
 * An upstream Responses stream (the Codex backend's) re-issued as the public API's, for clients of
 * `/v1/responses` on a Codex account. The events pass through as the backend sent them (item events,
 * deltas, reasoning with its encrypted content, custom tool calls: Codex CLI needs all of them), with:
 * - `sequence_number` renumbered from 0 (events the public API does not have, like `codex.rate_limits`,
 *   are dropped);
 * - the response id replaced by chatgate's (the one it stores the response under), and the request's
 *   settings as the client sent them (store, metadata, instructions… which the body rules changed);
 * - the terminal response's `output` rebuilt from the finished items when the backend sent it empty
 *   (its store=false quirk, reference §4.1), and usage with zeros for absent details;
 * - an `error` event in both shapes (see `errorEventFields`), followed by `response.failed`, whether
 *   the backend sent an `error` event, its own `response.failed` (which gets the `error` event before
 *   it, as chatgate's own failures have: the SDKs' stream helpers throw on it), or a stream that ends
 *   without a terminal event.
 */
export interface ResponsesRelayInit {
  /** chatgate's id for this response. */
  id: string;
  /** The client's request (its settings are echoed), and the model name the client used. */
  request: JsonObject;
  model?: string;
}

const LIFECYCLE = new Set(['response.created', 'response.in_progress', 'response.queued', 'response.completed', 'response.incomplete', 'response.failed']);
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

export class ResponsesRelay {
  private readonly accumulator = new ResponseAccumulator();
  private readonly echo: ResponseEcho;
  private sequence = 0;
  private started = false;
  private ended = false;
  private createdAt = Math.floor(Date.now() / 1000);
  private model: string;

  constructor(private readonly init: ResponsesRelayInit) {
    this.echo = responseEchoOf(init.request);
    this.model = init.model ?? (typeof init.request.model === 'string' ? init.request.model : '');
  }

  /** The public SSE text for one upstream event ('' when it is dropped). */
  push(event: ResponseStreamEvent): string {
    if (this.ended) return '';
    this.accumulator.push(event);
    if (event.type !== 'error' && !event.type.startsWith('response.')) return '';
    let out = '';
    if (!this.started) {
      this.started = true;
      if (event.type === 'response.created' && isObject(event.response) && typeof event.response.created_at === 'number') {
        this.createdAt = event.response.created_at;
      } else if (event.type !== 'response.created') {
        // A backend that skips response.created would break every SDK helper: say it for it.
        out += this.frame('response.created', { response: this.publicResponse(null, 'in_progress') });
      }
    }
    if (TERMINAL.has(event.type)) this.ended = true;
    if (event.type === 'error') {
      // The error event, then the terminal event clients that wait for one need.
      const error = this.accumulator.result().error ?? { code: 'server_error', message: 'The upstream failed.' };
      out += this.frame('error', errorEventFields(error));
      return out + this.frame('response.failed', { response: { ...this.publicResponse(null, 'failed'), error: { code: error.code, message: error.message } } });
    }
    if (event.type === 'response.failed') {
      const error = this.accumulator.result().error ?? { code: 'server_error', message: 'The upstream failed.' };
      out += this.frame('error', errorEventFields(error));
    }
    const { type: _type, sequence_number: _sequence, ...fields } = event;
    if (LIFECYCLE.has(event.type)) fields.response = this.publicResponse(isObject(event.response) ? event.response : null, statusOf(event.type));
    return out + this.frame(event.type, fields);
  }

  /** The upstream stream closed: when it had not finished, the client is told it failed. */
  end(): string {
    if (this.ended) return '';
    this.ended = true;
    const result = this.accumulator.result();
    const error = result.error ?? { code: 'stream_truncated', message: 'The upstream stream ended before the response was complete.' };
    let out = this.started ? '' : this.frame('response.created', { response: this.publicResponse(null, 'in_progress') });
    this.started = true;
    out += this.frame('error', errorEventFields(error));
    out += this.frame('response.failed', { response: { ...this.publicResponse(result.response, 'failed'), error: { code: error.code, message: error.message } } });
    return out;
  }

  /** How the upstream's answer ended, output rebuilt (the items to store). */
  result(): AccumulatedResponse {
    return this.accumulator.result();
  }

  /** The whole Response object, for a non-streamed request (call after the stream ended). */
  finalResponse(): ResponseObject {
    const result = this.accumulator.result();
    const status: ResponseStatus = result.status === 'completed' || result.status === 'incomplete' ? result.status : 'failed';
    return this.publicResponse(result.response, status);
  }

  private frame(type: string, fields: JsonObject): string {
    return responseEventFrame(type, this.sequence++, fields);
  }

  /** The upstream's response object in the public shape: chatgate's id, the client's settings, the rebuilt output. */
  private publicResponse(upstream: JsonObject | null, status: ResponseStatus): ResponseObject {
    const terminal = status !== 'in_progress' && status !== 'queued';
    const result = terminal ? this.accumulator.result() : null;
    const error = isObject(upstream?.error) ? upstream.error : null;
    const incomplete = isObject(upstream?.incomplete_details) ? upstream.incomplete_details : null;
    const base = responseObject(
      { id: this.init.id, model: this.model, createdAt: this.createdAt, echo: this.echo },
      {
        status,
        output: result ? result.output : [],
        usage: terminal ? usageOf(upstream?.usage) : null,
        error: error && typeof error.message === 'string' ? { code: typeof error.code === 'string' ? error.code : 'server_error', message: error.message } : null,
        incompleteReason: incomplete && typeof incomplete.reason === 'string' ? incomplete.reason : null,
      },
    );
    // The reasoning settings the backend actually used (effort, summary) are more useful than the request's nulls.
    if (upstream && isObject(upstream.reasoning) && base.reasoning.effort === null) base.reasoning = upstream.reasoning as ResponseObject['reasoning'];
    return base;
  }
}

function statusOf(type: string): ResponseStatus {
  switch (type) {
    case 'response.completed':
      return 'completed';
    case 'response.incomplete':
      return 'incomplete';
    case 'response.failed':
      return 'failed';
    case 'response.queued':
      return 'queued';
    default:
      return 'in_progress';
  }
}
