/** Request/reply, queue group `conversation`: the models the worker's mapping table offers. */
export const CONVERSATION_LIST_MODELS = 'chatgate.conversation.models.list.v1' as const;
