import type { GatewayFeature } from '../shared/feature.js';
import { MePageController } from './me.controller.js';
import { PageSessions } from './page-sessions.js';

/** ChatGPT-Mirror's login-free link and the user page. */
export const ME_FEATURE: GatewayFeature = { controllers: [MePageController], providers: [PageSessions] };
