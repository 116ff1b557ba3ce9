import type { GatewayConfig } from '@chatgate/config';

/** Injection token for the gateway's validated configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export type { GatewayConfig };
