import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  USAGE_ACCOUNT_HOURLY,
  USAGE_DEAD_LETTERS,
  deadLetterPageSchema,
  deadLetterQuerySchema,
  USAGE_QUERY,
  USAGE_SPEND_QUERY,
  USAGE_USER_COUNTS,
  accountHourlySchema,
  spendPageSchema,
  spendQuerySchema,
  chatgptUseCountBodySchema,
  usagePageSchema,
  usageQuerySchema,
  userCountsSchema,
  userUseCountBodySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';
import { UsageBusClient, tenantScopeOf } from '../shared/bus/usage-bus.client.js';

/** ChatGPT-Mirror's per-hour buckets: `last_1h` … `last_24h`, each a sliding hour back from now. */
export const ACCOUNT_HOUR_BUCKETS = 24;
const DAY_MS = 86_400_000;

/**
 * Usage views for admins: ChatGPT-Mirror's two counters and `/admin/v1/usage`. Days are UTC days.
 * Names resolve against the names the usage events carry (auth's users are not read from here).
 */
@Controller()
@UseGuards(AdminGuard)
export class UsageAdminController {
  constructor(private readonly usage: UsageBusClient) {}

  /** `{<user>: <requests today that did not fail>}`; a user name or id; unknown names count 0. */
  @Post('api/get-user-use-count')
  @HttpCode(200)
  userUseCount(@Actor() actor: AdminActor, @Body() body: unknown) {
    const { username_list } = parseInput(userUseCountBodySchema, body);
    const since = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    return this.usage.query(USAGE_USER_COUNTS, { scopeTenantId: tenantScopeOf(actor), names: username_list, since }, userCountsSchema);
  }

  /** `{<email>: {<model>: {last_1h, …, last_24h}}}`: requests that did not fail, per sliding hour. */
  @Post('api/get-chatgpt-use-count')
  @HttpCode(200)
  chatgptUseCount(@Actor() actor: AdminActor, @Body() body: unknown) {
    const { chatgpt_list } = parseInput(chatgptUseCountBodySchema, body);
    return this.usage.query(USAGE_ACCOUNT_HOURLY, { scopeTenantId: tenantScopeOf(actor), labels: chatgpt_list, hours: ACCOUNT_HOUR_BUCKETS, now: Date.now() }, accountHourlySchema);
  }

  @Get('admin/v1/usage')
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    const q = parseInput(usageQuerySchema, query);
    const to = q.to ?? Date.now();
    const from = q.from ?? to - DAY_MS;
    return this.usage.query(USAGE_QUERY, { ...q, from, to, scopeTenantId: tenantScopeOf(actor) }, usagePageSchema);
  }

  /** Usage events the usage service could not store, for an operator to read (the operator sees all; a tenant admin its tenant's). */
  @Get('admin/v1/usage/dead-letters')
  deadLetters(@Actor() actor: AdminActor, @Query() query: unknown) {
    const q = parseInput(deadLetterQuerySchema, query);
    return this.usage.query(USAGE_DEAD_LETTERS, { ...q, scopeTenantId: tenantScopeOf(actor) }, deadLetterPageSchema);
  }

  /** Spend totals per tenant, user, credential or account; the range defaults to the current UTC month. */
  @Get('admin/v1/spend')
  spend(@Actor() actor: AdminActor, @Query() query: unknown) {
    const q = parseInput(spendQuerySchema, query);
    const to = q.to ?? Date.now();
    const start = new Date(to);
    const from = q.from ?? Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
    return this.usage.query(USAGE_SPEND_QUERY, { ...q, from, to, scopeTenantId: tenantScopeOf(actor) }, spendPageSchema);
  }
}
