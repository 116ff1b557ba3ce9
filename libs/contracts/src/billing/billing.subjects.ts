/**
 * Billing: budgets ride on the limit take (`USAGE_LIMIT_TAKE`, one hop on the chat path); spend
 * for the OpenAI-compatible billing endpoints is read from the usage service's events.
 */
export const USAGE_BILLING_SPEND = 'chatgate.usage.billing.spend.v1' as const;
/** Spend totals per tenant, user, credential or account over a range (`GET /admin/v1/spend`). */
export const USAGE_SPEND_QUERY = 'chatgate.usage.spend.query.v1' as const;
