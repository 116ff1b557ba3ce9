import { describe, expect, it } from '@jest/globals';
import type { ChatJob } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { ConversationContinuity } from './conversation-continuity.js';
import type { ConversationRecord, FinishedTurn, RecordScope } from './conversation-record.js';
import type { ConversationRecordStore } from './conversation-record.store.js';
import { answeredHistoryHash } from './history-hash.js';

const silent = { warn: () => undefined } as unknown as Logger;

/** An in-memory store with the real one's scoping rules, and a gate to hold writes open. */
class FakeStore {
  readonly rows: ConversationRecord[] = [];
  lookups = 0;
  failing = false;
  gate: Promise<void> = Promise.resolve();

  async recordTurns(turns: FinishedTurn[]) {
    await this.gate;
    for (const turn of turns) {
      const at = new Date();
      const existing = this.rows.find((r) => r.tenantId === turn.tenantId && r.ownerKey === turn.ownerKey && r.conversationId === turn.conversationId);
      if (existing) Object.assign(existing, { lastMessageId: turn.lastMessageId, historyHash: turn.historyHash, updatedAt: at, isolated: existing.isolated || turn.isolated });
      else this.rows.push({ ...turn, isVisible: true, createdAt: at, updatedAt: at });
      if (turn.isolated) for (const r of this.rows) if (r.tenantId === turn.tenantId && r.ownerKey === turn.ownerKey) r.isolated = true;
    }
  }
  async anyOwner(tenantId: string, id: string) {
    if (this.failing) throw new Error('database down');
    return this.rows.find((r) => r.tenantId === tenantId && r.conversationId === id) ?? null;
  }
  async findByHistory(tenantId: string, ownerKey: string, hash: string) {
    this.lookups += 1;
    if (this.failing) throw new Error('database down');
    return this.rows.find((r) => r.tenantId === tenantId && r.ownerKey === ownerKey && r.historyHash === hash && r.isVisible) ?? null;
  }
  async find(scope: RecordScope, id: string) {
    this.lookups += 1;
    if (this.failing) throw new Error('database down');
    const inScope = (r: ConversationRecord) => ('ownerKey' in scope ? r.ownerKey === scope.ownerKey : r.accountId !== null && !r.isolated);
    return this.rows.find((r) => r.tenantId === scope.tenantId && r.conversationId === id && inScope(r)) ?? null;
  }
}

function setup() {
  const store = new FakeStore();
  return { store, continuity: new ConversationContinuity(store as unknown as ConversationRecordStore, silent) };
}

const job = (over: Partial<ChatJob>): ChatJob => ({
  requestId: 'r', model: 'gpt-4o', stream: false, historyDisabled: false, messages: [{ role: 'user', content: 'hello' }],
  upstream: { kind: 'pool', tenantId: 't' }, tenantId: 't', credentialId: 'cred', userId: 'alice', userName: 'alice', ...over,
});

describe('ConversationContinuity', () => {
  it('does not look anything up for a single new message', async () => {
    const { store, continuity } = setup();
    expect(await continuity.continuation(job({}))).toBeNull();
    expect(store.lookups).toBe(0);
  });

  it("finds the turn it just recorded, waiting for the owner's write still in flight", async () => {
    const { store, continuity } = setup();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const first = job({});
    continuity.finished(first, { conversationId: 'c1', messageId: 'a1', answer: 'Hi!', title: null, accountId: 'acc-1' });
    const next = continuity.continuation(job({ messages: [...first.messages, { role: 'assistant', content: 'Hi!' }, { role: 'user', content: 'more' }] }));
    setTimeout(open, 20);
    expect(await next).toEqual({ conversationId: 'c1', parentMessageId: 'a1', accountId: 'acc-1' });
    expect(store.rows[0]).toMatchObject({ ownerKey: 'user:alice', title: 'hello', historyHash: answeredHistoryHash(first.messages, 'Hi!') });
  });

  it('keeps a title on one line and without NUL or other control characters (Postgres text cannot hold a NUL)', async () => {
    const { store, continuity } = setup();
    continuity.finished(job({ messages: [{ role: 'user', content: ' bad\u0000 line\nbreak\u0007 ' }] }), { conversationId: 'c1', messageId: 'a1', answer: 'x', title: null, accountId: 'acc-1' });
    continuity.finished(job({ userId: 'bob' }), { conversationId: 'c2', messageId: 'a2', answer: 'x', title: 'Upstream\u0000 title\r\n', accountId: 'acc-1' });
    continuity.finished(job({ userId: 'carl' }), { conversationId: 'c3', messageId: 'a3', answer: 'x', title: '\u0000\u001b', accountId: 'acc-1' });
    await continuity.settled();
    expect(store.rows.map((r) => r.title)).toEqual(['bad line break', 'Upstream title', 'hello']);
  });

  it("keeps to the credential's allowed accounts", async () => {
    const { continuity } = setup();
    continuity.finished(job({}), { conversationId: 'c1', messageId: 'a1', answer: 'Hi!', title: 'T', accountId: 'acc-1' });
    await continuity.settled();
    const messages: ChatJob['messages'] = [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'Hi!' }, { role: 'user', content: 'more' }];
    expect(await continuity.continuation(job({ messages, upstream: { kind: 'pool', tenantId: 't', accountIds: ['acc-2'] } }))).toBeNull();
    expect(await continuity.continuation(job({ messages, upstream: { kind: 'pool', tenantId: 't', accountIds: ['acc-1'] } }))).toMatchObject({ conversationId: 'c1' });
  });

  it("refuses an isolated user another user's named conversation; a shared user goes to its account", async () => {
    const { continuity } = setup();
    continuity.finished(job({ userId: 'bob' }), { conversationId: 'bobs', messageId: 'b1', answer: 'x', title: null, accountId: 'acc-9' });
    await continuity.settled();
    expect(await continuity.continuation(job({ conversationId: 'bobs', isolatedSession: true }))).toEqual({ refused: expect.objectContaining({ status: 404 }) });
    expect(await continuity.continuation(job({ conversationId: 'bobs', isolatedSession: false }))).toEqual({ conversationId: 'bobs', parentMessageId: 'b1', accountId: 'acc-9' });
    expect(await continuity.continuation(job({ conversationId: 'never-seen', isolatedSession: true }))).toBeNull();
  });

  it("refuses a shared user an isolated user's conversation, and a pool caller a raw token's, by id (404)", async () => {
    const { store, continuity } = setup();
    continuity.finished(job({ userId: 'iris', isolatedSession: true }), { conversationId: 'iris-c', messageId: 'i1', answer: 'x', title: 'private', accountId: 'acc-1' });
    continuity.finished(job({ userId: null, credentialId: 'raw', upstream: { kind: 'chatgpt_access_token', accessToken: 't' } }), { conversationId: 'raw-c', messageId: 'r1', answer: 'x', title: 'mine', accountId: null });
    await continuity.settled();
    expect(store.rows.find((r) => r.conversationId === 'iris-c')?.isolated).toBe(true);
    expect(await continuity.continuation(job({ conversationId: 'iris-c' }))).toEqual({ refused: expect.objectContaining({ status: 404 }) });
    expect(await continuity.continuation(job({ conversationId: 'raw-c' }))).toEqual({ refused: expect.objectContaining({ status: 404 }) });
    // The owner still continues her own.
    expect(await continuity.continuation(job({ userId: 'iris', isolatedSession: true, conversationId: 'iris-c' }))).toMatchObject({ conversationId: 'iris-c', accountId: 'acc-1' });
  });

  it('marks records an owner made before being isolated private at their next turn', async () => {
    const { store, continuity } = setup();
    continuity.finished(job({ userId: 'ivan' }), { conversationId: 'before', messageId: 'b1', answer: 'x', title: null, accountId: 'acc-1' });
    await continuity.settled();
    expect(await continuity.continuation(job({ conversationId: 'before' }))).toMatchObject({ conversationId: 'before' });
    continuity.finished(job({ userId: 'ivan', isolatedSession: true }), { conversationId: 'after', messageId: 'a1', answer: 'y', title: null, accountId: 'acc-1' });
    await continuity.settled();
    expect(store.rows.every((r) => r.isolated)).toBe(true);
    expect(await continuity.continuation(job({ conversationId: 'before' }))).toEqual({ refused: expect.objectContaining({ status: 404 }) });
  });

  it('runs the job as sent when the records cannot be read, but refuses a named conversation it cannot check (503)', async () => {
    const { store, continuity } = setup();
    store.failing = true;
    const messages: ChatJob['messages'] = [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }];
    expect(await continuity.continuation(job({ messages }))).toBeNull();
    expect(await continuity.continuation(job({ conversationId: 'x', isolatedSession: true }))).toEqual({ refused: expect.objectContaining({ status: 503 }) });
    expect(await continuity.continuation(job({ conversationId: 'x', isolatedSession: false }))).toEqual({ refused: expect.objectContaining({ status: 503 }) });
  });
});
