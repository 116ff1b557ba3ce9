import type { GatewayFeature } from '../shared/feature.js';
import { WebProtocolController } from './web-protocol.controller.js';

/** The ChatGPT web protocol (`/backend-api/…`, `/chatgpt/…`) relayed to the upstream. */
export const WEB_PROTOCOL_FEATURE: GatewayFeature = { controllers: [WebProtocolController] };
