/**
 * The chat data plane. A gateway publishes a ChatJob with a private reply inbox; one conversation
 * worker (queue group `conversation`) takes it and streams ChatFrames back to that inbox. These
 * travel on the raw NATS connection, not through NestJS's ClientProxy: a reply here is many
 * messages, and every microsecond on this path is added latency for the client.
 */
export const CHAT_COMPLETION_JOB = 'chatgate.chat.completion.job.v1' as const;
/** `<prefix>.<requestId>`: the gateway's client went away; the worker aborts the upstream request. */
export const CHAT_COMPLETION_CANCEL_PREFIX = 'chatgate.chat.completion.cancel.v1' as const;
export const chatCancelSubject = (requestId: string) => `${CHAT_COMPLETION_CANCEL_PREFIX}.${requestId}`;
export const CHAT_COMPLETION_CANCEL_ALL = `${CHAT_COMPLETION_CANCEL_PREFIX}.*` as const;
export const CONVERSATION_QUEUE_GROUP = 'conversation' as const;
