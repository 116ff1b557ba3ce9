/**
 * The public OpenAI dialects (chat completions, Responses) and their translation to and from the
 * Codex backend. Pure: no I/O, node built-ins only.
 */
export * from './chat-completion-format.js';
