/** Request/reply, queue group `conversation`: the models the worker's mapping table offers. */
export const CONVERSATION_LIST_MODELS = 'chatgate.conversation.models.list.v1' as const;
/**
 * Request/reply, queue group `conversation`: list, read, rename, hide, title and rate conversations
 * (the `/backend-api/conversation…` management calls), scoped to the caller's records.
 */
export const CONVERSATION_MANAGE = 'chatgate.conversation.manage.v1' as const;
