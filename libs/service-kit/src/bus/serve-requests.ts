import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { incomingRequest, observerOf } from '../observability/bus.js';
import { withRequest } from '../observability/request-context.js';
import { endSpan, SpanKind, startSpan, withSpan } from '../observability/tracing.js';

export interface ServeRequestsOptions<S extends z.ZodType> {
  subject: string;
  /** Replicas of one service share the subject through this queue group. */
  queue: string;
  schema: S;
  handle(request: z.infer<S>): Promise<unknown>;
  /** The answer to a request that does not match the schema. */
  malformed: unknown;
  /** The answer when the handler throws (the error is logged, never sent). */
  failed: unknown;
  logger: Logger;
}

/**
 * Request/reply on the raw connection, for subjects on the chat path where NestJS's envelope and
 * ClientProxy would add a millisecond: parse against the contract, handle, answer; never throw.
 */
export function serveRequests<S extends z.ZodType>(nc: NatsConnection, opts: ServeRequestsOptions<S>): Subscription {
  const respond = (msg: Msg, body: unknown): void => {
    msg.respond(encodeJson(body));
  };
  return nc.subscribe(opts.subject, {
    queue: opts.queue,
    callback: (err, msg) => {
      if (err) return;
      let request: z.infer<S>;
      try {
        request = decodeJson(opts.schema, msg.data);
      } catch {
        respond(msg, opts.malformed);
        return;
      }
      // Handled inside the asking request's context (its id on every log line; a server span under its trace).
      const origin = incomingRequest(msg.headers);
      const observer = observerOf(nc);
      const span = observer ? startSpan(observer.service, `${opts.subject} handle`, SpanKind.SERVER, { 'messaging.system': 'nats', 'messaging.destination.name': opts.subject }, origin.trace) : undefined;
      withRequest(origin.context, () =>
        withSpan(span, () =>
          opts.handle(request).then(
            (reply) => {
              endSpan(span);
              respond(msg, reply);
            },
            (e: unknown) => {
              endSpan(span, 'failed');
              opts.logger.error({ err: e instanceof Error ? e.message : String(e), subject: opts.subject }, 'bus request failed');
              respond(msg, opts.failed);
            },
          ),
        ),
      );
    },
  });
}
