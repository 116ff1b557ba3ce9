/**
 * @chatgate/protocol: decodes the ChatGPT web backend's reply stream (reference
 * upstream-chatgpt.md §3) into normalized UpstreamEvents, and speaks the public OpenAI dialects
 * (`./openai`: chat completions and Responses, and the Codex backend's form of the latter).
 * Pure, no I/O, node built-ins only.
 *
 * Text choices (what the conversation worker receives on the 'reasoning' channel):
 * - thoughts: each thought as `**<summary>**\n<content>`, thoughts separated by a blank line;
 * - reasoning_recap ("Thought for 12 seconds") is emitted as reasoning, after a blank line;
 * - analysis/commentary assistant text and thinking preambles are reasoning too;
 * - successive messages on the same channel (answer or reasoning) are separated by "\n\n".
 */
export type {
  CitationSource,
  DecoderOptions,
  FinishReason,
  LimitProgress,
  MessageCategory,
  SseEvent,
  StreamEncoding,
  TextChannel,
  ToolTextKind,
  UpstreamEvent,
} from './types.js';
export { SseParser } from './sse-parser.js';
export { ConversationStreamDecoder } from './conversation-stream-decoder.js';
export { classifyMessage } from './message-classifier.js';
export { applyOperation, applyPatchOrOperation, parsePointer, type DocumentHolder } from './document-patcher.js';
export * from './openai/index.js';
