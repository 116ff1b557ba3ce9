import { loadConfigOrExit, usageEnv } from '@chatgate/config';
import { runService } from '@chatgate/service-kit';
import { startUsage } from './usage.app.js';

const config = loadConfigOrExit('usage', usageEnv);
await runService('usage', () => startUsage(config));
