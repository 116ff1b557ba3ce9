import { MePageController } from './me.controller.js';
import { PageSessions } from './page-sessions.js';

/** What GatewayModule adds for ChatGPT-Mirror's login-free link and the user page. */
export const ME_CONTROLLERS = [MePageController];
export const ME_PROVIDERS = [PageSessions];
