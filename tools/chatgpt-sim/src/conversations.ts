// The conversations the simulator keeps upstream (history on; temporary chats are never stored, as
// upstream): one tree per conversation (a mapping of nodes with parent and children, and the current
// node, reference §5), owned by the account that created it (another account's request for it is a
// 404, as upstream). Kept: every posted message (when the request comes), the answer (when its stream
// completes), and messages that land after the stream (an image generated asynchronously). A
// continuation with parent_message_id extends the right branch; management calls list, read, rename,
// hide, title and rate them; synthesize reads a message aloud.

export interface SimNode {
  id: string;
  parent: string | null;
  children: string[];
  /** The message in upstream's shape (`author.role`, `content.parts`, ...); null for the root. */
  message: Record<string, unknown> | null;
}

export interface SimConversation {
  id: string;
  accountId: string;
  title: string;
  createTime: number;
  updateTime: number;
  visible: boolean;
  currentNode: string;
  mapping: Map<string, SimNode>;
}

export const ROOT_ID = 'client-created-root';

/**
 * Conversations kept at most; the oldest created goes first. Benchmarks send hundreds of thousands
 * of requests with history on, and the simulator must not grow without bound.
 */
export const MAX_CONVERSATIONS = 20_000;

export class ConversationStore {
  private readonly byId = new Map<string, SimConversation>();
  /** Ratings by message id, as message_feedback stored them. */
  readonly feedback = new Map<string, { conversationId: string; rating: string; accountId: string }>();

  /** Any account's conversation (the caller decides whether the account may see it). */
  get(id: string): SimConversation | undefined {
    return this.byId.get(id);
  }

  /** The account's own conversation, visible or not; undefined for another account's. */
  owned(id: string, accountId: string): SimConversation | undefined {
    const c = this.byId.get(id);
    return c && c.accountId === accountId ? c : undefined;
  }

  /**
   * Adds messages as a chain below `parentId` when the conversation has that node, else below the
   * current node (creating the conversation with its root); the last one becomes the current node.
   */
  append(conversationId: string, accountId: string, title: string, messages: Array<Record<string, unknown>>, parentId?: string): void {
    const now = Date.now() / 1000;
    let stored = this.byId.get(conversationId);
    if (!stored) {
      stored = {
        id: conversationId,
        accountId,
        title,
        createTime: now,
        updateTime: now,
        visible: true,
        currentNode: ROOT_ID,
        mapping: new Map([[ROOT_ID, { id: ROOT_ID, parent: null, children: [], message: null }]]),
      };
      this.byId.set(conversationId, stored);
      if (this.byId.size > MAX_CONVERSATIONS) this.byId.delete(this.byId.keys().next().value!);
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

  /** A message of the conversation as synthesize reads it: its author's role and its text parts joined. */
  message(conversation: SimConversation, messageId: string): { role: string; text: string } | undefined {
    const message = conversation.mapping.get(messageId)?.message;
    if (!message) return undefined;
    const role = (message.author as { role?: unknown } | undefined)?.role;
    return { role: typeof role === 'string' ? role : 'user', text: textOfMessage(message, '\n') };
  }

  /** The account's visible conversations, most recently updated first. */
  listFor(accountId: string): SimConversation[] {
    return [...this.byId.values()].filter((c) => c.accountId === accountId && c.visible).sort((a, b) => b.updateTime - a.updateTime);
  }
}

/** A stored message's text parts, joined with `separator`. */
export function textOfMessage(message: Record<string, unknown> | null, separator = ' '): string {
  const parts = (message?.content as { parts?: unknown } | undefined)?.parts;
  return Array.isArray(parts) ? parts.filter((p): p is string => typeof p === 'string').join(separator) : '';
}
