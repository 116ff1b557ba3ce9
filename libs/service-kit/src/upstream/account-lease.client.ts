import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ACCOUNT_LEASE,
  ACCOUNT_PLANS,
  ACCOUNT_REPORT,
  accountLeaseReplySchema,
  accountPlansReplySchema,
  accountReportReplySchema,
  type AccountLeaseReply,
  type AccountLeaseRequest,
  type AccountPlansReply,
  type AccountPlansRequest,
  type AccountReport,
  type AccountReportReply,
  poolUnavailable,
} from '@chatgate/contracts';
import { NATS_CONNECTION } from '../bus/nats-connection.module.js';
import { requestJson } from '../bus/json-codec.js';

const TIMEOUT_MS = 5000;

const AUTH_UNAVAILABLE = poolUnavailable();

/**
 * The upstream-facing services' side of auth's account pool (conversation workers, voice): lease an
 * account per attempt, report what went wrong with it.
 */
@Injectable()
export class AccountLeaseClient {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    return requestJson(this.nc, ACCOUNT_LEASE, request, accountLeaseReplySchema, TIMEOUT_MS).catch(() => ({ ok: false as const, failure: AUTH_UNAVAILABLE }));
  }

  /** One usable account per plan of the pool (for the models listing). */
  plans(request: AccountPlansRequest): Promise<AccountPlansReply> {
    return requestJson(this.nc, ACCOUNT_PLANS, request, accountPlansReplySchema, TIMEOUT_MS).catch(() => ({ ok: false as const, failure: AUTH_UNAVAILABLE }));
  }

  report(report: AccountReport): Promise<AccountReportReply> {
    return requestJson(this.nc, ACCOUNT_REPORT, report, accountReportReplySchema, TIMEOUT_MS).catch(() => ({ ok: false as const, failure: AUTH_UNAVAILABLE }));
  }
}

/** What a runner needs of its account leases: auth's client, or a worker's snapshot in front of it. */
export type AccountLeases = Pick<AccountLeaseClient, 'lease' | 'report'>;
