import type { ConversationConfig } from '@chatgate/config';

export const CONVERSATION_CONFIG = Symbol('CONVERSATION_CONFIG');
export const CONVERSATION_LOGGER = Symbol('CONVERSATION_LOGGER');
export type { ConversationConfig };
