import type { GatewayFeature } from '../shared/feature.js';
import { SystemHealthController } from './system-health.controller.js';

/** `/health/services`: every service's report over the bus (the gateway's own `/health` comes from HealthModule). */
export const HEALTH_FEATURE: GatewayFeature = { controllers: [SystemHealthController] };
