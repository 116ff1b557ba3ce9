import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import {
  USAGE_ACCOUNT_HOURLY,
  USAGE_BILLING_SPEND,
  USAGE_DEAD_LETTERS,
  deadLetterQueryRequestSchema,
  USAGE_SPEND_QUERY,
  billingSpendRequestSchema,
  spendQueryRequestSchema,
  USAGE_LIMIT_RELEASE,
  USAGE_LIMIT_TAKE,
  USAGE_QUERY,
  USAGE_SERIES,
  usageSeriesRequestSchema,
  USAGE_QUEUE_GROUP,
  USAGE_USER_COUNTS,
  accountHourlyRequestSchema,
  limitReleaseRequestSchema,
  limitTakeRequestSchema,
  type LimitTakeRequest,
  usageQueryRequestSchema,
  userCountsRequestSchema,
} from '@chatgate/contracts';
import { NATS_CONNECTION, serveRequests, ServiceMetrics, type Logger } from '@chatgate/service-kit';
import { Admission } from '../billing/admission.js';
import { SpendQueries } from '../billing/spend-queries.js';
import { DeadLetterStore } from '../events/dead-letter.store.js';
import { UsageQueries } from '../queries/usage-queries.js';
import { UsageSeriesQueries } from '../queries/usage-series.js';
import { USAGE_LOGGER } from '../usage.config.js';

/**
 * Request/reply on the raw connection, queue group `usage`. The limit check is on the chat path
 * (one hop, no NestJS envelope); queries share the same plumbing. Failures answer `{ok: false}`.
 */
@Injectable()
export class UsageBusListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(USAGE_LOGGER) private readonly logger: Logger,
    private readonly admission: Admission,
    private readonly queries: UsageQueries,
    private readonly seriesQueries: UsageSeriesQueries,
    private readonly spend: SpendQueries,
    private readonly deadLetters: DeadLetterStore,
    @Optional() private readonly metrics?: ServiceMetrics,
  ) {}

  /** A limit take, its refusals counted by what refused it (`chatgate_refusals_total`). */
  private async take(req: LimitTakeRequest) {
    const reply = await this.admission.take(req);
    if (reply.ok && !reply.allowed) {
      const reason = reply.quota ? 'budget' : reply.unpriced ? 'unpriced' : reply.rate ? (reply.rate.by === 'requests' ? 'rpm' : 'tpm') : 'limit';
      this.metrics?.refusals.inc({ reason });
    }
    return reply;
  }

  onApplicationBootstrap() {
    this.serve(USAGE_LIMIT_TAKE, limitTakeRequestSchema, (req) => this.take(req));
    this.serve(USAGE_LIMIT_RELEASE, limitReleaseRequestSchema, async (req) => ({ ok: true, released: await this.admission.release(req) }));
    this.serve(USAGE_BILLING_SPEND, billingSpendRequestSchema, async (req) => ({ ok: true, result: await this.spend.spend(req) }));
    this.serve(USAGE_SPEND_QUERY, spendQueryRequestSchema, async (req) => ({ ok: true, result: await this.spend.totals(req) }));
    this.serve(USAGE_QUERY, usageQueryRequestSchema, async (req) => ({ ok: true, result: await this.queries.rollups(req) }));
    this.serve(USAGE_SERIES, usageSeriesRequestSchema, async (req) => ({ ok: true, result: await this.seriesQueries.series(req) }));
    this.serve(USAGE_USER_COUNTS, userCountsRequestSchema, async (req) => ({ ok: true, result: await this.queries.userCounts(req.names, req.since, req.scopeTenantId) }));
    this.serve(USAGE_DEAD_LETTERS, deadLetterQueryRequestSchema, async (req) => ({ ok: true, result: await this.deadLetters.page(req) }));
    this.serve(USAGE_ACCOUNT_HOURLY, accountHourlyRequestSchema, async (req) => ({ ok: true, result: await this.queries.accountHourly(req.labels, req.hours, req.now, req.scopeTenantId) }));
  }

  onModuleDestroy() {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private serve<S extends z.ZodType>(subject: string, schema: S, handle: (req: z.infer<S>) => Promise<unknown>) {
    this.subscriptions.push(
      serveRequests(this.nc, {
        subject,
        queue: USAGE_QUEUE_GROUP,
        schema,
        handle,
        malformed: { ok: false, error: 'malformed request' },
        failed: { ok: false, error: 'usage request failed' },
        logger: this.logger,
      }),
    );
  }
}
