import { gatewayEnv, loadConfigOrExit } from '@chatgate/config';
import { runService } from '@chatgate/service-kit';
import { startGateway } from './gateway.app.js';

const config = loadConfigOrExit('gateway', gatewayEnv);
await runService('gateway', () => startGateway(config));
