import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import { ACCOUNT_LEASE, ACCOUNT_REPORT, AUTH_QUEUE_GROUP, accountLeaseRequestSchema, accountReportSchema, type BusError } from '@chatgate/contracts';
import { decodeJson, encodeJson, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { AUTH_LOGGER } from '../auth.config.js';
import { AccountPoolService } from './account-pool.service.js';

const MALFORMED: BusError = { status: 500, error: { message: 'Malformed pool request.', type: 'server_error', param: null, code: 'malformed_request' } };
const FAILED: BusError = { status: 503, error: { message: 'The account pool failed; try again shortly.', type: 'server_error', param: null, code: 'pool_error' } };

/**
 * Lease and report on the raw NATS connection, queue group `auth`: these sit on the chat path,
 * one per attempt, where NestJS's request/reply would add a millisecond each.
 */
@Injectable()
export class AccountPoolListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly pool: AccountPoolService,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    this.serve(ACCOUNT_LEASE, accountLeaseRequestSchema, (req) => this.pool.lease(req));
    this.serve(ACCOUNT_REPORT, accountReportSchema, (req) => this.pool.report(req));
  }

  onModuleDestroy() {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private serve<S extends z.ZodType>(subject: string, schema: S, handle: (req: z.infer<S>) => Promise<unknown>) {
    const respond = (msg: Msg, body: unknown): void => {
      msg.respond(encodeJson(body));
    };
    this.subscriptions.push(
      this.nc.subscribe(subject, {
        queue: AUTH_QUEUE_GROUP,
        callback: (err, msg) => {
          if (err) return;
          let request: z.infer<S>;
          try {
            request = decodeJson(schema, msg.data);
          } catch {
            return respond(msg, { ok: false, failure: MALFORMED });
          }
          handle(request).then(
            (reply) => respond(msg, reply),
            (e) => {
              this.logger.error({ err: e instanceof Error ? e.message : String(e), subject }, 'pool request failed');
              respond(msg, { ok: false, failure: FAILED });
            },
          );
        },
      }),
    );
  }
}
