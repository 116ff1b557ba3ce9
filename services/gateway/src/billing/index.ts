import type { GatewayFeature } from '../shared/feature.js';
import { BillingController } from './billing.controller.js';

/** OpenAI's `/dashboard/billing/…` endpoints (their bus client is shared: `UsageBusClient`). */
export const BILLING_FEATURE: GatewayFeature = { controllers: [BillingController] };
