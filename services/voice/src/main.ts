import { loadConfigOrExit, voiceEnv } from '@chatgate/config';
import { runService } from '@chatgate/service-kit';
import { startVoice } from './voice.app.js';

const config = loadConfigOrExit('voice', voiceEnv);
await runService('voice', () => startVoice(config));
