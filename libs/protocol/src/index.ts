export type {
  FinishReason,
  LimitProgress,
  MessageCategory,
  SseEvent,
  StreamEncoding,
  TextChannel,
  UpstreamEvent,
} from './types.js';
export { SseParser } from './sse-parser.js';
export { ConversationStreamDecoder } from './conversation-stream-decoder.js';
export { classifyMessage } from './message-classifier.js';
export { applyOperation, applyPatchOrOperation, parsePointer, type DocumentHolder } from './document-patcher.js';
