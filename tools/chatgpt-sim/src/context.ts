// The state one simulator instance shares between its routes.
import type { AccountStore } from './accounts.js';
import type { BehaviourStore } from './behaviours.js';
import type { FileStore } from './files.js';
import type { StatsCollector } from './stats.js';
import type { StreamRun } from './stream.js';
import type { PlatformKeys } from './platform/keys.js';

export interface SimContext {
  accounts: AccountStore;
  behaviours: BehaviourStore;
  stats: StatsCollector;
  /** Uploaded files per account (reference §4). */
  files: FileStore;
  /** Running streams, so close() can stop their timers. */
  streams: Set<StreamRun>;
  /** The OpenAI platform API's keys and their injected failures. */
  platform: { keys: PlatformKeys };
}
