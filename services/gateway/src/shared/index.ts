import { LimitGate } from './limits/limit-gate.js';
import { CredentialResolver } from './credentials/credential-resolver.service.js';
import { GatewayJobs } from './jobs/gateway-jobs.js';
import { PlatformModels } from './platform/platform-models.js';
import { PlatformRelay } from './platform/platform-relay.js';
import { RelayResponder } from './relay/relay-responder.js';
import { UsageBusClient } from './bus/usage-bus.client.js';

export type { GatewayFeature } from './feature.js';

/** The services every feature may inject, provided once for the whole gateway. */
export const SHARED_PROVIDERS = [CredentialResolver, GatewayJobs, LimitGate, UsageBusClient, RelayResponder, PlatformRelay, PlatformModels];
