// Conversations kept upstream (history on), per account. GET /backend-api/conversation/<id>
// answers them as a mapping of nodes with parent and children and the current node (reference §5);
// synthesize reads a message from them; the hide/rename PATCH acts on them. Kept: every posted
// message (when the request comes), the answer (when its stream completes), and messages that land
// after the stream (an image generated asynchronously). Temporary chats are never stored, as upstream.

export interface StoredNode {
  id: string;
  parent: string | null;
  children: string[];
  /** The message in upstream's shape (`author.role`, `content.parts`, ...); null for the root. */
  message: Record<string, unknown> | null;
}

export interface StoredConversation {
  accountId: string;
  visible: boolean;
  title: string;
  createTime: number;
  updateTime: number;
  currentNode: string;
  mapping: Map<string, StoredNode>;
}

/** A kept message as synthesize reads it. */
export interface StoredMessage {
  role: string;
  text: string;
}

const ROOT = 'client-created-root';
/** Bounded so a long benchmark run cannot grow the simulator without limit; the oldest go first. */
const MAX_CONVERSATIONS = 10_000;

export class ConversationStore {
  private readonly byId = new Map<string, StoredConversation>();

  /**
   * Adds messages as a chain below `parentId` when the conversation has that node, else below the
   * current node (creating the conversation with its root); the last one becomes the current node.
   */
  append(conversationId: string, accountId: string, title: string, messages: Array<Record<string, unknown>>, parentId?: string): void {
    const now = Date.now() / 1000;
    let stored = this.byId.get(conversationId);
    if (!stored) {
      if (this.byId.size >= MAX_CONVERSATIONS) this.byId.delete(this.byId.keys().next().value as string);
      stored = { accountId, visible: true, title, createTime: now, updateTime: now, currentNode: ROOT, mapping: new Map([[ROOT, { id: ROOT, parent: null, children: [], message: null }]]) };
      this.byId.set(conversationId, stored);
    }
    let parent = parentId !== undefined && stored.mapping.has(parentId) ? parentId : stored.currentNode;
    for (const message of messages) {
      const id = String(message.id);
      const parentNode = stored.mapping.get(parent);
      if (parentNode && !parentNode.children.includes(id)) parentNode.children.push(id);
      // A message posted again (same id) is replaced, keeping the children it has.
      stored.mapping.set(id, { id, parent, children: stored.mapping.get(id)?.children ?? [], message });
      parent = id;
    }
    stored.currentNode = parent;
    stored.updateTime = now;
  }

  /** The conversation if it belongs to this account (another account's is as good as missing). */
  find(conversationId: string, accountId: string): StoredConversation | undefined {
    const conversation = this.byId.get(conversationId);
    return conversation && conversation.accountId === accountId ? conversation : undefined;
  }

  /** One message's role and text (its string parts), for synthesize. */
  message(conversationId: string, accountId: string, messageId: string): StoredMessage | undefined {
    const message = this.find(conversationId, accountId)?.mapping.get(messageId)?.message;
    if (!message) return undefined;
    const author = message.author as { role?: unknown } | undefined;
    const content = message.content as { parts?: unknown } | undefined;
    const parts = Array.isArray(content?.parts) ? content.parts.filter((p): p is string => typeof p === 'string') : [];
    return { role: typeof author?.role === 'string' ? author.role : 'user', text: parts.join('\n') };
  }

  /** The conversation as GET answers it; a hidden one is gone for the client, as upstream. */
  view(conversationId: string, accountId: string): Record<string, unknown> | undefined {
    const stored = this.find(conversationId, accountId);
    if (!stored || !stored.visible) return undefined;
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
    this.byId.clear();
  }
}
