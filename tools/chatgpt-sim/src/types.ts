// Public types of the simulator. Kept apart from the code so index.ts can re-export them
// without pulling the server into type-only imports.

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** HS256 secret for the access tokens it mints. Default: random per start. */
  jwtSecret?: string;
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
  /** `authkey` header values (private upstream gateways) seen on upstream requests, with how often each came. */
  authKeysSeen: Record<string, number>;
  /** The newest conversation request as it arrived: shows whether a client continued a conversation, sending only the new message. */
  lastConversation: ConversationRequestRecord | null;
  /** The `messages` of the newest conversation request, role and text each: exactly what the client sent upstream. */
  lastConversationMessages: Array<{ role: string; text: string }> | null;
  /** Ratings stored by message_feedback, by message id. */
  messageFeedback: Record<string, string>;
}

export interface ConversationRequestRecord {
  /** Entries of the body's `messages`. */
  messages: number;
  conversationId: string | null;
  parentMessageId: string | null;
  /** The body's `history_and_training_disabled` (temporary chat), null when absent. */
  historyDisabled: boolean | null;
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
