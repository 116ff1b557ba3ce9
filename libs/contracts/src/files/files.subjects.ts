/**
 * Request/reply, queue group `conversation` (NestJS transport): the gateway hands a generated-file
 * link's token to a worker, which opens it, asks the upstream with the account that made the file
 * and answers with a short-lived download URL the gateway then streams to the client.
 */
export const CONVERSATION_FILE_LINK = 'chatgate.conversation.file.link.v1' as const;
