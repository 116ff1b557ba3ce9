import type { GatewayFeature } from '../shared/feature.js';
import { PlatformApiController } from './platform-api.controller.js';

/** The platform (API-key) endpoints: completions, embeddings, images… relayed to the tenant's API keys. */
export const PLATFORM_FEATURE: GatewayFeature = { controllers: [PlatformApiController] };
