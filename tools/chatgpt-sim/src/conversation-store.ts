// Saved conversations (history on), as GET /backend-api/conversation/<id> returns them: a mapping
// of nodes with parent and children, and the current node. Only what later reads need is kept: the
// user message and the answer of each turn, and messages that land after the stream (an image
// generated asynchronously).

interface Node {
  id: string;
  parent: string | null;
  children: string[];
  message: Record<string, unknown> | null;
}

interface Stored {
  accountId: string;
  title: string;
  createTime: number;
  updateTime: number;
  currentNode: string;
  mapping: Map<string, Node>;
}

export class ConversationStore {
  private readonly conversations = new Map<string, Stored>();

  /** Appends messages in order below the current node, creating the conversation with its root. */
  append(conversationId: string, accountId: string, title: string, messages: Array<Record<string, unknown>>): void {
    const now = Date.now() / 1000;
    let stored = this.conversations.get(conversationId);
    if (!stored) {
      const root = `client-created-root`;
      stored = { accountId, title, createTime: now, updateTime: now, currentNode: root, mapping: new Map([[root, { id: root, parent: null, children: [], message: null }]]) };
      this.conversations.set(conversationId, stored);
    }
    for (const message of messages) {
      const id = String(message.id);
      stored.mapping.get(stored.currentNode)?.children.push(id);
      stored.mapping.set(id, { id, parent: stored.currentNode, children: [], message });
      stored.currentNode = id;
    }
    stored.updateTime = now;
  }

  /** The conversation as upstream answers it, only for the account that owns it. */
  get(conversationId: string, accountId: string): Record<string, unknown> | undefined {
    const stored = this.conversations.get(conversationId);
    if (!stored || stored.accountId !== accountId) return undefined;
    return {
      title: stored.title,
      create_time: stored.createTime,
      update_time: stored.updateTime,
      current_node: stored.currentNode,
      conversation_id: conversationId,
      mapping: Object.fromEntries(stored.mapping),
    };
  }

  clear(): void {
    this.conversations.clear();
  }
}
