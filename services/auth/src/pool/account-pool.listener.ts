import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import {
  ACCOUNT_KEYS,
  ACCOUNT_LEASE,
  ACCOUNT_LIMITS,
  ACCOUNT_PLANS,
  ACCOUNT_REPORT,
  AUTH_QUEUE_GROUP,
  accountKeysRequestSchema,
  accountLeaseRequestSchema,
  accountLimitsEventSchema,
  accountPlansRequestSchema,
  accountReportSchema,
  type AccountLimitsEvent,
  type BusError,
} from '@chatgate/contracts';
import { decodeJson, NATS_CONNECTION, serveRequests, type Logger } from '@chatgate/service-kit';
import { AUTH_LOGGER } from '../auth.config.js';
import { AccountPoolService } from './account-pool.service.js';

const MALFORMED: BusError = { status: 500, error: { message: 'Malformed pool request.', type: 'server_error', param: null, code: 'malformed_request' } };
const FAILED: BusError = { status: 503, error: { message: 'The account pool failed; try again shortly.', type: 'server_error', param: null, code: 'pool_error' } };

/**
 * Lease and report on the raw NATS connection, queue group `auth`: these sit on the chat path,
 * one per attempt, where NestJS's request/reply would add a millisecond each. Codex limits events
 * are heard twice: once in the queue group (one replica stores them) and once by every replica
 * (each one's pool snapshot takes them at once).
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
    this.serve(ACCOUNT_PLANS, accountPlansRequestSchema, (req) => this.pool.plans(req));
    this.serve(ACCOUNT_KEYS, accountKeysRequestSchema, (req) => this.pool.keys(req));
    this.hear(AUTH_QUEUE_GROUP, (event) => this.pool.recordLimits(event));
    this.hear(undefined, async (event) => this.pool.observeLimits(event));
  }

  /** `account.limits` events (fire and forget): a malformed one is logged and dropped, a failing store logged. */
  private hear(queue: string | undefined, handle: (event: AccountLimitsEvent) => Promise<void>) {
    this.subscriptions.push(
      this.nc.subscribe(ACCOUNT_LIMITS, {
        queue,
        callback: (err, msg) => {
          if (err) return;
          let event: AccountLimitsEvent;
          try {
            event = decodeJson(accountLimitsEventSchema, msg.data);
          } catch {
            this.logger.warn({ subject: ACCOUNT_LIMITS }, 'a malformed account limits event was dropped');
            return;
          }
          handle(event).catch((e: unknown) => this.logger.warn({ accountId: event.accountId, err: e instanceof Error ? e.message : String(e) }, 'account limits could not be stored'));
        },
      }),
    );
  }

  onModuleDestroy() {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private serve<S extends z.ZodType>(subject: string, schema: S, handle: (req: z.infer<S>) => Promise<unknown>) {
    this.subscriptions.push(
      serveRequests(this.nc, { subject, queue: AUTH_QUEUE_GROUP, schema, handle, malformed: { ok: false, failure: MALFORMED }, failed: { ok: false, failure: FAILED }, logger: this.logger }),
    );
  }
}
