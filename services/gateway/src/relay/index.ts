import { RelayResponder } from './relay-responder.js';
import { WebProtocolController } from './web-protocol.controller.js';

/** What GatewayModule adds for the HTTP relay and the ChatGPT web protocol on top of it. */
export const RELAY_CONTROLLERS = [WebProtocolController];
export const RELAY_PROVIDERS = [RelayResponder];
export { RelayResponder };
