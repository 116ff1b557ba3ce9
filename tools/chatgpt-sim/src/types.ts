// Public types of the simulator. Kept apart from the code so index.ts can re-export them
// without pulling the server into type-only imports.
import type { GeneratedFile } from './files.js';
import type { ApiKeyBehaviour, IssueApiKeyOptions } from './platform/keys.js';
import type { AccountLimits, Credits } from './codex/limits.js';
import type { FamilyDeath, RefreshFailure } from './codex/credentials.js';

export type { ApiKeyBehaviour, IssueApiKeyOptions, AccountLimits, Credits, RefreshFailure };

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Secret of what the simulator seals (LiveKit room tokens, encrypted reasoning). Default: random per start. */
  jwtSecret?: string;
  /**
   * The issuer's RSA private key (PKCS#8 PEM) that signs access and id tokens (RS256), published at
   * `/.well-known/jwks.json`. Default: a key made once per process.
   */
  jwtPrivateKey?: string;
  /** How long an uploaded document stays `retrieval_index_status: pending`. Default 300 ms. */
  documentIndexDelayMs?: number;
}

/** ChatGPT plans (the Codex reference's list: free, go, plus, pro, team, business, enterprise, edu). */
export type Plan = 'free' | 'go' | 'plus' | 'pro' | 'team' | 'business' | 'enterprise' | 'edu';

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
  /** Bytes of conversation streams written so far, open ones included. */
  streamBytes: number;
  /** Times a conversation stream paused because its client was not reading (its socket's buffer full). */
  drainWaits: number;
  /** Conversation requests per account id. */
  byAccount: Record<string, number>;
  /** Conversation requests per `ChatGPT-Account-Id` header value (workspace), when one was sent. */
  byWorkspace: Record<string, number>;
  /** Every POST /oauth/token, whatever its answer (a gateway that retries a dead token shows here). */
  tokenRequests: number;
  /** Every GET /api/auth/session, whatever its answer. */
  sessionRequests: number;
  /** Every GET /.well-known/jwks.json, answered or not (a client that caches the key set asks rarely). */
  jwksRequests: number;
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
  /** The Codex backend and Codex's OAuth client. */
  codex: CodexStats;
}

export interface CodexStats {
  /** POST /backend-api/codex/responses calls, whatever their answer, and per authenticated account. */
  responsesRequests: number;
  responsesByAccount: Record<string, number>;
  /** Response streams that ended: sent to the end by the simulator (failures included), or left by the client. */
  completedStreams: number;
  abortedStreams: number;
  compactRequests: number;
  /** GET /backend-api/codex/models calls, and per account (a gateway that caches the list shows few). */
  modelsRequests: number;
  modelsRequestsByAccount: Record<string, number>;
  /** GET /backend-api/wham/usage and the whoami calls. */
  usageRequests: number;
  whoamiRequests: number;
  /** POST /oauth/token with a Codex refresh token, per account, whatever the answer (two replicas refreshing at once show 2). */
  refreshCallsByAccount: Record<string, number>;
  /** Those that rotated the token. */
  refreshesByAccount: Record<string, number>;
  /** Refused refreshes by code: refresh_token_reused, refresh_token_expired, refresh_token_invalidated, invalid_grant (another client), missing_client_id. */
  refreshFailures: Record<string, number>;
  /** 4xx answers of the Codex backend by their message (the body rules a gateway broke). */
  rejections: Record<string, number>;
}

/** The switches for what the reference leaves unknown or saw change (its "Unknown / conflicting"). */
export interface CodexQuirks {
  /** `response.completed` carries `output: []` although items were streamed (2026 observation). Default true. */
  emptyCompletedOutput: boolean;
  /**
   * `required` (2026, default): the key must be present, any text (even "") goes; `non_empty`: "" is refused
   * too (pi #4184); `codex_prompt` (Aug 2025 – Jan 2026): only Codex's own prompt (text starting "You are Codex") is valid.
   */
  instructions: 'required' | 'non_empty' | 'codex_prompt';
  /** Refuse a request without `OpenAI-Beta: responses=experimental`. Default false. */
  requireBetaHeader: boolean;
  /** Accept access tokens of other clients (web session, iOS app) at the Codex backend. Default false. */
  acceptNonCodexTokens: boolean;
  /** Accept a refresh with a client id other than the one that issued the token. Default false. */
  crossClientRefresh: boolean;
  /** Accept `input_file` parts (unconfirmed upstream). Default true. */
  acceptInputFile: boolean;
  /** Only `Content-Type: application/json` exactly (no charset); else a 415. Default true. */
  strictContentType: boolean;
  /** GET /models without `client_version` is a 400. Default true. */
  requireClientVersion: boolean;
  /** `ChatGPT-Account-ID` must be sent (and match the token's account). Default true. */
  requireAccountHeader: boolean;
}

/** One request to a Codex-facing route (backend, usage, whoami, Codex refreshes), as it arrived. */
export interface UpstreamRequestRecord {
  /** Epoch milliseconds. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names, values as received (repeated headers joined with ", "). */
  headers: Record<string, string>;
  /** The JSON body as parsed (form bodies as an object), the raw text when it was not JSON, null without one. */
  body: unknown;
  /** The account the credential named, once known. */
  accountId: string | null;
  /** The answer's status; null while it streams. */
  status: number | null;
}

export interface CodexLoginOptions extends IssueAccountOptions {
  /** An existing account (id or email) to log in as; otherwise one is issued with the other options. `expiresInSec` is the access token's lifetime. */
  account?: string;
}

/** `~/.codex/auth.json` as `codex login` writes it. */
export interface CodexAuthFile {
  auth_mode: 'chatgpt';
  OPENAI_API_KEY: null;
  tokens: { id_token: string; access_token: string; refresh_token: string; account_id: string };
  last_refresh: string;
}

export interface CodexLogin {
  accountId: string;
  email: string;
  userId: string;
  plan: Plan;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  lastRefresh: string;
  authFile: CodexAuthFile;
}

export interface CodexAccessTokenGrant {
  /** `at-…` */
  accessToken: string;
  accountId: string;
  email: string;
  plan: Plan;
}

export interface CodexWindowUpdate {
  usedPercent?: number;
  windowMinutes?: number;
  /** Unix seconds; or give resetAfterSeconds. */
  resetAt?: number;
  resetAfterSeconds?: number;
}

export interface CodexAccountUpdate {
  plan?: Plan;
  /** The slugs its /models lists and /responses accepts; null: the plan's list again. */
  models?: string[] | null;
  limits?: {
    /** null removes the window (its headers then say 0 minutes). */
    primary?: CodexWindowUpdate | null;
    secondary?: CodexWindowUpdate | null;
    credits?: Partial<Credits>;
    percentPerRequest?: number;
  };
  /** Unix seconds: every request is a 429 usage_limit_reached until then; null lifts it. */
  limitedUntil?: number | null;
  /** The next refreshes of this account fail so, in order (each uses its token up and kills the login); null clears. */
  nextRefresh?: RefreshFailure | RefreshFailure[] | null;
  /** Kill every login of the account and revoke its `at-` tokens now. */
  revoke?: boolean;
}

export interface CodexAccountView {
  accountId: string;
  email: string;
  plan: Plan;
  models: string[];
  limits: AccountLimits;
  pendingRefreshOutcomes: RefreshFailure[];
  logins: Array<{ alive: boolean; diedOf: FamilyDeath | null; clientId: string }>;
}

export interface SimCodex {
  /** `<sim>/backend-api/codex`: what CODEX_BASE_URL points at. */
  baseUrl: string;
  /** The client id Codex's OAuth tokens are issued to. */
  clientId: string;
  login(opts?: CodexLoginOptions): CodexLogin;
  accessToken(opts?: CodexLoginOptions): CodexAccessTokenGrant;
  setAccount(accountIdOrEmail: string, update: CodexAccountUpdate): CodexAccountView;
  account(accountIdOrEmail: string): CodexAccountView;
  setQuirks(patch: Partial<CodexQuirks>): CodexQuirks;
  quirks(): CodexQuirks;
  /** Every request to the Codex-facing routes, oldest first, credentials included. */
  requests(): UpstreamRequestRecord[];
  clearRequests(): void;
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
  /** `<url>/.well-known/jwks.json`: the key set that verifies its access and id tokens (issuer `https://auth.openai.com`). */
  jwksUrl: string;
  /** Takes the key set offline (503) or back. */
  setJwksAvailable(available: boolean): void;
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
  /** The Codex backend, Codex logins and access tokens, and what tests switch on them. */
  codex: SimCodex;
  /** Ids of the /v1/responses this key holds (stored, not deleted), oldest first. */
  storedResponses(key: string): string[];
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

export const PLANS: readonly Plan[] = ['free', 'go', 'plus', 'pro', 'team', 'business', 'enterprise', 'edu'];

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && (PLANS as readonly string[]).includes(value);
}
