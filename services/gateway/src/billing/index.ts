import { BillingController } from './billing.controller.js';

/** What GatewayModule adds for the billing endpoints (their bus client comes with the usage providers). */
export const BILLING_CONTROLLERS = [BillingController];
