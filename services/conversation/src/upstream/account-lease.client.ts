import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ACCOUNT_LEASE,
  ACCOUNT_REPORT,
  accountLeaseReplySchema,
  accountReportReplySchema,
  type AccountLeaseReply,
  type AccountLeaseRequest,
  type AccountReport,
  type AccountReportReply,
  type BusError,
} from '@chatgate/contracts';
import { decodeJson, encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';

const TIMEOUT_MS = 5000;

const AUTH_UNAVAILABLE: BusError = {
  status: 503,
  error: { message: 'The account pool is unavailable. Try again shortly.', type: 'server_error', param: null, code: 'pool_unavailable' },
};

/** The worker's side of the account pool: lease an account per attempt, report what went wrong with it. */
@Injectable()
export class AccountLeaseClient {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    try {
      const msg = await this.nc.request(ACCOUNT_LEASE, encodeJson(request), { timeout: TIMEOUT_MS });
      return decodeJson(accountLeaseReplySchema, msg.data);
    } catch {
      return { ok: false, failure: AUTH_UNAVAILABLE };
    }
  }

  async report(report: AccountReport): Promise<AccountReportReply> {
    try {
      const msg = await this.nc.request(ACCOUNT_REPORT, encodeJson(report), { timeout: TIMEOUT_MS });
      return decodeJson(accountReportReplySchema, msg.data);
    } catch {
      return { ok: false, failure: AUTH_UNAVAILABLE };
    }
  }
}
