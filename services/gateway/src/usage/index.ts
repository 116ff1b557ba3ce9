import { LimitGate } from './limit-gate.js';
import { UsageAdminController } from './usage-admin.controller.js';
import { UsageBusClient } from './usage-bus.client.js';

/** What GatewayModule adds for limits and usage views (kept here so the module file changes by two lines). */
export const USAGE_CONTROLLERS = [UsageAdminController];
export const USAGE_PROVIDERS = [LimitGate, UsageBusClient];
