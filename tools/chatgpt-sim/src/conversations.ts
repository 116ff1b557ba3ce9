// Conversations kept upstream (history on): what synthesize reads its message from, and what
// the hide PATCH acts on. Temporary chats are never stored, as upstream.

export interface StoredMessage {
  role: string;
  text: string;
}

export interface StoredConversation {
  accountId: string;
  visible: boolean;
  title: string | null;
  messages: Map<string, StoredMessage>;
}

/** Bounded so a long benchmark run cannot grow the simulator without limit; the oldest go first. */
const MAX_CONVERSATIONS = 10_000;

export class ConversationStore {
  private readonly byId = new Map<string, StoredConversation>();

  /** Adds the request's messages to the conversation (created on first use). */
  record(conversationId: string, accountId: string, messages: Array<{ id: string; role: string; text: string }>): void {
    let conversation = this.byId.get(conversationId);
    if (!conversation) {
      if (this.byId.size >= MAX_CONVERSATIONS) this.byId.delete(this.byId.keys().next().value as string);
      conversation = { accountId, visible: true, title: null, messages: new Map() };
      this.byId.set(conversationId, conversation);
    }
    for (const m of messages) conversation.messages.set(m.id, { role: m.role, text: m.text });
  }

  /** The conversation if it belongs to this account (another account's is as good as missing). */
  find(conversationId: string, accountId: string): StoredConversation | undefined {
    const conversation = this.byId.get(conversationId);
    return conversation && conversation.accountId === accountId ? conversation : undefined;
  }

  clear(): void {
    this.byId.clear();
  }
}
