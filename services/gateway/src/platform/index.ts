import { PlatformApiController } from './platform-api.controller.js';
import { PlatformModels } from './platform-models.js';
import { PlatformRelay } from './platform-relay.js';

/** What GatewayModule adds for the platform (API-key) upstream: its endpoints and the relay service other routes call. */
export const PLATFORM_CONTROLLERS = [PlatformApiController];
export const PLATFORM_PROVIDERS = [PlatformRelay, PlatformModels];
export { PlatformRelay, PlatformModels };
