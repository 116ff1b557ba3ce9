// Public entry of @chatgate/chatgpt-sim: a stand-alone imitation of the ChatGPT web backend, the
// Codex backend and the OpenAI platform API.
// It imports nothing from @chatgate/* on purpose: it is the independent upstream the gateway is
// tested against, so shared code would let a bug agree with itself.
export { startSimulator } from './server.js';
export { replyFor } from './reply.js';
export { simFileBytes, type GeneratedFile } from './files.js';
export { TOOL_SCENARIOS, type ToolScenario } from './scenarios.js';
export { platformTokens, chatPromptTokens } from './platform/tokens.js';
export { responsesInputTokens } from './responses/items.js';
export { schemaInstance } from './responses/schema-instance.js';
export { CODEX_CLIENT_ID } from './codex/credentials.js';
export type {
  AccountLimits,
  CodexAccessTokenGrant,
  CodexAccountUpdate,
  CodexAccountView,
  CodexAuthFile,
  CodexLogin,
  CodexLoginOptions,
  CodexQuirks,
  CodexStats,
  CodexWindowUpdate,
  Credits,
  RefreshFailure,
  SimCodex,
  UpstreamRequestRecord,
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
