import { authEnv, loadConfigOrExit } from '@chatgate/config';
import { runService } from '@chatgate/service-kit';
import { startAuth } from './auth.app.js';

const config = loadConfigOrExit('auth', authEnv);
await runService('auth', () => startAuth(config));
