import { conversationEnv, loadConfigOrExit } from '@chatgate/config';
import { runService } from '@chatgate/service-kit';
import { startConversation } from './conversation.app.js';

const config = loadConfigOrExit('conversation', conversationEnv);
await runService('conversation', () => startConversation(config));
