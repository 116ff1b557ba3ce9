// The state one simulator instance shares between its routes.
import type { AccountStore } from './accounts.js';
import type { BehaviourStore } from './behaviours.js';
import type { ConversationStore } from './conversations.js';
import type { StatsCollector } from './stats.js';
import type { StreamRun } from './stream.js';

export interface SimContext {
  accounts: AccountStore;
  behaviours: BehaviourStore;
  stats: StatsCollector;
  conversations: ConversationStore;
  /** Running streams, so close() can stop their timers. */
  streams: Set<StreamRun>;
}
