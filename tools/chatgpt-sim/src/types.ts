// Public types of the simulator. Kept apart from the code so index.ts can re-export them
// without pulling the server into type-only imports.
import type { GeneratedFile } from './files.js';
import type { ApiKeyBehaviour, IssueApiKeyOptions } from './platform/keys.js';

export type { ApiKeyBehaviour, IssueApiKeyOptions };

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** HS256 secret for the access tokens it mints. Default: random per start. */
  jwtSecret?: string;
  /** How long an uploaded document stays `retrieval_index_status: pending`. Default 300 ms. */
  documentIndexDelayMs?: number;
}

export type Plan = 'free' | 'plus' | 'pro' | 'team';

export interface IssueAccountOptions {
  email?: string;
  plan?: Plan;
  accountId?: string;
  /** Lifetime of the first access token; 0 or negative gives an already expired token. Default 864000 (10 days). */
  expiresInSec?: number;
}

export interface SimAccount {
  email: string;
  accountId: string;
  userId: string;
  plan: string;
  accessToken: string;
  /** Current-flow refresh token, starts `rt_`. */
  refreshToken: string;
  /** Legacy (auth0) refresh token: 45 characters, no dots. */
  legacyRefreshToken: string;
  /** next-auth session token (JWE-shaped, 5 parts, > 1000 characters). */
  sessionToken: string;
}

export type FailKind =
  | '401'
  | '403'
  | '404'
  | '429'
  | '500'
  | 'cloudflare'
  | 'stall'
  | 'cut'
  | 'stream_error'
  | 'moderation';

export interface Behaviour {
  fail?: FailKind;
  /** How many requests it applies to; default unlimited. */
  times?: number;
  /**
   * Seconds: the `clears_in` a 429 reports, and the behaviour lifts by itself once they have
   * passed (an account's message cap clears after that time).
   */
  clearsIn?: number;
}

export interface SimStats {
  conversationRequests: number;
  activeStreams: number;
  /** Streams the simulator ended itself (normally, with a stream error, moderation or a deliberate cut). */
  completedStreams: number;
  /** The client went away before the end (includes streams still open when close() ran). */
  abortedStreams: number;
  /** Conversation requests per account id. */
  byAccount: Record<string, number>;
  /** Conversation requests per `ChatGPT-Account-Id` header value (workspace), when one was sent. */
  byWorkspace: Record<string, number>;
  /** Every POST /oauth/token, whatever its answer (a gateway that retries a dead token shows here). */
  tokenRequests: number;
  /** Refresh tokens exchanged at /oauth/token (each one rotated away). */
  refreshes: number;
  /** Those exchanges per account id: a gateway that refreshes an account twice shows 2 here. */
  refreshesByAccount: Record<string, number>;
  /** GET /backend-api/models calls (a gateway that caches the listing shows few here). */
  modelsRequests: number;
  /** Those calls per account id. */
  modelsRequestsByAccount: Record<string, number>;
  /** `authkey` header values (private upstream gateways) seen on upstream requests, with how often each came. */
  authKeysSeen: Record<string, number>;
  /** The newest conversation request as it arrived: shows whether a client continued a conversation, sending only the new message. */
  lastConversation: ConversationRequestRecord | null;
  /** The `messages` of the newest conversation request, role and text each: exactly what the client sent upstream. */
  lastConversationMessages: Array<{ role: string; text: string }> | null;
  /** Ratings stored by message_feedback, by message id. */
  messageFeedback: Record<string, string>;
  /** The OpenAI platform API (/v1): requests in all, per key and path, and the newest one as it arrived. */
  platform: {
    requests: number;
    byKey: Record<string, Record<string, number>>;
    lastRequest: PlatformRequestRecord | null;
    /** Answers whose client closed the connection before the last byte (a cancelled stream). */
    abortedAnswers: number;
  };
  /** POST /backend-api/files calls. */
  fileCreates: number;
  /** Every blob PUT the store accepted, in order: whose file, and a digest of exactly the bytes received. */
  blobPuts: BlobPutRecord[];
  /** GET /backend-api/files/<id> calls (indexing polls). */
  fileStatusPolls: number;
  /** The newest conversation request's user message: content type, text, image pointers and attachments. */
  lastUserMessage: MessageFilesRecord | null;
  /** The newest conversation stream that ended: whose token it answered, and exactly what its body held. */
  lastStream: StreamRecord | null;
  /** GET /backend-api/synthesize calls, whatever their answer, by the voice and format asked for. */
  synthesizeRequests: number;
  synthesizeByVoice: Record<string, number>;
  synthesizeByFormat: Record<string, number>;
  /** Conversations hidden with PATCH `{is_visible:false}` (one by id, or all of an account's). */
  hiddenConversations: number;
  /** POST /voice/get_token calls per account id, and the newest body as it arrived. */
  voiceTokensByAccount: Record<string, number>;
  lastVoiceTokenRequest: Record<string, unknown> | null;
}

export interface BlobPutRecord {
  fileId: string;
  /** The account that created the file. */
  accountId: string;
  /** sha256 (hex) of the bytes received. */
  sha256: string;
  size: number;
  contentType: string;
  name: string;
}

/** What the newest user message of a conversation request pointed at (reference §2 and §4). */
export interface MessageFilesRecord {
  contentType: string | null;
  /** The text parts, joined. */
  text: string;
  assetPointers: Array<{ asset_pointer: string; size_bytes: unknown; width: unknown; height: unknown }>;
  attachments: Array<Record<string, unknown>>;
}

export interface PlatformRequestRecord {
  path: string;
  /** The JSON body as received (null for GET). */
  body: Record<string, unknown> | null;
  /** The key came in Azure's `api-key` header rather than as a Bearer. */
  azure: boolean;
  /** The `api-version` query parameter (Azure), if any. */
  apiVersion: string | null;
  /** The `OpenAI-Organization` header, if any. */
  organization: string | null;
}

export interface StreamRecord {
  /** The account whose access token the request carried. */
  accountId: string;
  /** sha256 (hex) of every body byte written, and how many. */
  sha256: string;
  bytes: number;
  outcome: 'completed' | 'aborted';
}

export interface ConversationRequestRecord {
  /** Entries of the body's `messages`. */
  messages: number;
  conversationId: string | null;
  parentMessageId: string | null;
  /** The body's `history_and_training_disabled` (temporary chat), null when absent. */
  historyDisabled: boolean | null;
  /** The body's `model` (upstream slug), null when absent. */
  model: string | null;
  /** The body's `conversation_mode` (`{kind: "gizmo_interaction", gizmo_id}` for GPTs), null when absent. */
  conversationMode: { kind: string; gizmoId: string | null } | null;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  /** Stops the server, its timers and destroys open sockets. */
  close(): Promise<void>;
  issueAccount(opts?: IssueAccountOptions): SimAccount;
  setBehaviour(accountIdOrEmail: string, b: Behaviour | null): void;
  stats(): SimStats;
  resetStats(): void;
  /** Files tool turns generated ([[sim tool=image|dalle|sandbox]]), newest last. */
  generatedFiles(): GeneratedFile[];
  /** A key the platform API (/v1) accepts, `sk-sim-…`; `models` limits what it may use. */
  issueApiKey(opts?: IssueApiKeyOptions): string;
  /** Failure injection for a platform key (401, 429 with retry-after, 500); null lifts it. */
  setApiKeyBehaviour(key: string, b: ApiKeyBehaviour | null): void;
  /**
   * Synthesize's pacing: the delay between two audio packets (slow mode; default 0), and a cut of
   * the connection after some packets of every clip (default null: none). Fields left out keep their value.
   */
  setSpeechPacing(pacing: { packetDelayMs?: number; cutAfterPackets?: number | null }): void;
}

export const FAIL_KINDS: readonly FailKind[] = [
  '401',
  '403',
  '404',
  '429',
  '500',
  'cloudflare',
  'stall',
  'cut',
  'stream_error',
  'moderation',
];

export function isFailKind(value: unknown): value is FailKind {
  return typeof value === 'string' && (FAIL_KINDS as readonly string[]).includes(value);
}

export const PLANS: readonly Plan[] = ['free', 'plus', 'pro', 'team'];

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && (PLANS as readonly string[]).includes(value);
}
