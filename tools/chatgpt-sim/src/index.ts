// Public entry of @chatgate/chatgpt-sim: a stand-alone imitation of the ChatGPT web backend.
// It imports nothing from @chatgate/* on purpose: it is the independent upstream the gateway is
// tested against, so shared code would let a bug agree with itself.
export { startSimulator } from './server.js';
export { replyFor } from './reply.js';
export { simFileBytes, type GeneratedFile } from './files.js';
export { TOOL_SCENARIOS, type ToolScenario } from './scenarios.js';
export { platformTokens, chatPromptTokens } from './platform/tokens.js';
export type {
  Behaviour,
  BlobPutRecord,
  ConversationRequestRecord,
  FailKind,
  IssueAccountOptions,
  MessageFilesRecord,
  Plan,
  ApiKeyBehaviour,
  IssueApiKeyOptions,
  PlatformRequestRecord,
  SimAccount,
  SimStats,
  Simulator,
  SimulatorOptions,
  StreamRecord,
} from './types.js';
