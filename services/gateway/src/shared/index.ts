import { ModelTable } from '@chatgate/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config.js';
import { LimitGate } from './limits/limit-gate.js';
import { CredentialResolver } from './credentials/credential-resolver.service.js';
import { GatewayJobs } from './jobs/gateway-jobs.js';
import { PlatformModels } from './platform/platform-models.js';
import { PlatformRelay } from './platform/platform-relay.js';
import { CodexRelay } from './codex/codex-relay.js';
import { RelayResponder } from './relay/relay-responder.js';
import { UsageBusClient } from './bus/usage-bus.client.js';
import { ServiceReports } from './health/service-reports.js';

export type { GatewayFeature } from './feature.js';

/** The model mapping table, as the conversation workers read it (MODEL_MAP, DEFAULT_UPSTREAM_MODEL): limits count what a name reaches. */
const modelTableProvider = { provide: ModelTable, useFactory: (config: GatewayConfig) => new ModelTable(config.DEFAULT_UPSTREAM_MODEL, config.MODEL_MAP), inject: [GATEWAY_CONFIG] };

/** The services every feature may inject, provided once for the whole gateway. */
export const SHARED_PROVIDERS = [CredentialResolver, GatewayJobs, LimitGate, UsageBusClient, RelayResponder, PlatformRelay, CodexRelay, PlatformModels, modelTableProvider, ServiceReports];
