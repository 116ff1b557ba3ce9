import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import { ACCOUNT_LEASE, ACCOUNT_PLANS, ACCOUNT_REPORT, AUTH_QUEUE_GROUP, accountLeaseRequestSchema, accountPlansRequestSchema, accountReportSchema, type BusError } from '@chatgate/contracts';
import { NATS_CONNECTION, serveRequests, type Logger } from '@chatgate/service-kit';
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
    this.serve(ACCOUNT_PLANS, accountPlansRequestSchema, (req) => this.pool.plans(req));
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
