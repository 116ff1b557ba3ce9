/**
 * The public OpenAI dialects (chat completions, Responses) and their translation to and from the
 * Codex backend. Pure: no I/O, node built-ins only.
 */
export * from './chat-completion-format.js';
export * from './dialect-error.js';
export * from './responses-types.js';
export * from './responses-request.js';
export * from './chat-to-responses.js';
export * from './codex-request-rules.js';
export * from './responses-stream.js';
export * from './responses-to-chat.js';
export * from './response-ids.js';
export * from './response-object.js';
export * from './responses-event-writer.js';
export * from './responses-relay.js';
export * from './previous-response.js';
export * from './responses-to-chat-messages.js';
export * from './stop-sequences.js';
export * from './answer-headers.js';
