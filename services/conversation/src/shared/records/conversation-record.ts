/** A conversation made through chatgate, as the records hold it. */
export interface ConversationRecord {
  tenantId: string;
  ownerKey: string;
  conversationId: string;
  userId: string | null;
  credentialId: string;
  /** The pool account that holds it upstream; null for a caller's own ChatGPT token. */
  accountId: string | null;
  model: string;
  title: string | null;
  /** The newest answer: the parent of the next turn. */
  lastMessageId: string;
  historyHash: string;
  isVisible: boolean;
  /** Made or continued by a user with `isolated_session`: no shared scope sees it. */
  isolated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A turn that finished: what the record learns from it. */
export interface FinishedTurn {
  tenantId: string;
  ownerKey: string;
  userId: string | null;
  credentialId: string;
  conversationId: string;
  accountId: string | null;
  model: string;
  title: string | null;
  lastMessageId: string;
  historyHash: string;
  /** The owner's `isolated_session` when the turn was made; once set it stays (see the store). */
  isolated: boolean;
}

/**
 * Which records a caller may see: an isolated user only their own; anyone else the tenant's shared
 * conversations on the accounts they may use (null: every account of the pool). A shared scope
 * holds only records on pool accounts (never those of a caller's own ChatGPT token, which live on
 * that caller's account) and never an isolated user's.
 */
export type RecordScope = { tenantId: string; ownerKey: string } | { tenantId: string; accountIds: string[] | null };

/** Records belong to a user (all their keys and tokens), else to the one credential that made them. */
export function ownerKeyOf(who: { userId: string | null; credentialId: string }): string {
  return who.userId ? `user:${who.userId}` : `credential:${who.credentialId}`;
}
