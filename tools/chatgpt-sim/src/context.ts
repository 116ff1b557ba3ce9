// The state one simulator instance shares between its routes.
import type { AccountStore } from './accounts.js';
import type { JwtSigner } from './jwt.js';
import type { BehaviourStore } from './behaviours.js';
import type { FileStore } from './files.js';
import type { ConversationStore } from './conversations.js';
import type { StatsCollector } from './stats.js';
import type { StreamRun } from './stream.js';
import type { PlatformKeys } from './platform/keys.js';
import type { ResponseStore } from './platform/response-store.js';
import type { CodexCredentials } from './codex/credentials.js';
import type { CodexAccounts } from './codex/accounts.js';
import type { RequestRecords } from './codex/records.js';
import type { Sealer } from './responses/seal.js';
import type { CodexQuirks } from './types.js';

export interface SimContext {
  accounts: AccountStore;
  /** The issuer's RS256 key; its public half is the JWKS. */
  signer: JwtSigner;
  behaviours: BehaviourStore;
  stats: StatsCollector;
  /** Files per account (reference §4): uploaded ones, and those tool turns generated; the download endpoints serve both. */
  files: FileStore;
  /** Running streams, so close() can stop their timers. */
  streams: Set<StreamRun>;
  /** The OpenAI platform API's keys and their injected failures, and the /v1/responses each key holds. */
  platform: { keys: PlatformKeys; responses: ResponseStore };
  /** The Codex backend: Codex's OAuth logins and `at-` tokens, each account's models and usage windows, the switches, what arrived. */
  codex: { credentials: CodexCredentials; accounts: CodexAccounts; quirks: CodexQuirks; records: RequestRecords };
  /** Seals and checks the `encrypted_content` of reasoning and compaction items (both Responses backends). */
  sealer: Sealer;
  /** Conversations saved upstream (history on), a tree each: continuations, management calls (GET /backend-api/conversation/<id>, hide, rename, ...) and synthesize read them. */
  conversations: ConversationStore;
  /** The issuer's switches: whether its key set answers. */
  issuer: { jwksAvailable: boolean };
  /** How synthesize paces its audio (the slow mode tests measure first-byte latency with). */
  speech: SpeechPacing;
}

export interface SpeechPacing {
  /** Milliseconds between two audio packets of a clip. */
  packetDelayMs: number;
  /** Break the connection after this many packets of every clip (a failure in the middle of the audio); null: never. */
  cutAfterPackets: number | null;
}
