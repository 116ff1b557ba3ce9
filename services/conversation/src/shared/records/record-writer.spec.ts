import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@chatgate/service-kit';
import type { FinishedTurn } from './conversation-record.js';
import { MAX_UNWRITTEN, RecordWriter } from './record-writer.js';

/** A store that records each statement's turns, holds statements open on request, and refuses like Postgres. */
class FakeStore {
  readonly statements: string[][] = [];
  readonly written: string[] = [];
  private gates: Array<Promise<void>> = [];
  /** What the database does with a statement: answer, refuse a value (SQLSTATE 22021), or not answer at all. */
  mode: 'ok' | 'refuses-nul' | 'down' = 'ok';

  /** Holds the next statement open until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gates.push(new Promise((r) => (open = r)));
    return open;
  }

  async recordTurns(turns: ReadonlyArray<FinishedTurn>): Promise<void> {
    const ids = turns.map((t) => t.conversationId);
    this.statements.push(ids);
    await this.gates.shift();
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    if (this.mode === 'refuses-nul' && ids.some((id) => id.includes('\u0000'))) {
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    }
    this.written.push(...ids);
  }
}

function setup(settleMaxMs?: number) {
  const store = new FakeStore();
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) } as unknown as Logger;
  return { store, warnings, writer: new RecordWriter(store, logger, settleMaxMs) };
}

const turn = (conversationId: string, ownerKey = 'user:alice'): FinishedTurn => ({
  tenantId: 't', ownerKey, userId: ownerKey.slice(5), credentialId: 'cred', conversationId, accountId: 'acc-1',
  model: 'gpt-4o', title: null, lastMessageId: `m-${conversationId}`, historyHash: `h-${conversationId}`, isolated: false,
});

const tick = () => new Promise((r) => setImmediate(r));

describe('RecordWriter', () => {
  it("settles an owner once the batch with their newest turn has landed, not waiting for later batches", async () => {
    const { store, writer } = setup();
    const openFirst = store.hold();
    writer.write('r1', turn('a', 'user:alice'));
    await tick();
    const openSecond = store.hold();
    writer.write('r2', turn('b', 'user:bob'));
    let aliceSettled = false;
    let bobSettled = false;
    void writer.settled('user:alice').then(() => (aliceSettled = true));
    void writer.settled('user:bob').then(() => (bobSettled = true));
    await tick();
    expect([aliceSettled, bobSettled]).toEqual([false, false]);
    openFirst();
    await tick();
    expect([aliceSettled, bobSettled]).toEqual([true, false]);
    openSecond();
    await writer.settled();
    expect(bobSettled).toBe(true);
  });

  it("waits for an owner's turn queued behind their own turn in flight, not only for the one in flight", async () => {
    const { store, writer } = setup();
    const openFirst = store.hold();
    writer.write('r1', turn('a'));
    await tick();
    const openSecond = store.hold();
    writer.write('r2', turn('b'));
    let settled = false;
    void writer.settled('user:alice').then(() => (settled = true));
    openFirst();
    await tick();
    expect(store.written).toEqual(['a']);
    expect(settled).toBe(false);
    openSecond();
    await writer.settled();
    expect(settled).toBe(true);
    expect(store.written).toEqual(['a', 'b']);
  });

  it('stops waiting after its cap when a statement hangs, and the turns still land once it answers', async () => {
    const { store, writer } = setup(100);
    const open = store.hold();
    writer.write('r1', turn('a'));
    writer.write('r2', turn('b', 'user:bob'));
    const started = Date.now();
    await writer.settled('user:bob');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(store.written).toEqual([]);
    open();
    await writer.settled(undefined, 5000);
    expect(store.written).toEqual(['a', 'b']);
  });

  it('logs each turn it could not record, by its request id (batching is GroupCommit\'s, tested with it)', async () => {
    const { store, warnings, writer } = setup();
    store.mode = 'refuses-nul';
    writer.write('r1', turn('fine'));
    writer.write('r-bad', turn('bad\u0000id'));
    await writer.settled();
    expect(store.written).toEqual(['fine']);
    expect(warnings).toEqual([{ fields: expect.objectContaining({ requestId: 'r-bad' }), message: 'could not record the conversation' }]);
    store.mode = 'down';
    writer.write('r2', turn('b'));
    writer.write('r3', turn('c'));
    await writer.settled();
    expect(warnings.slice(1).map((w) => [w.fields.requestId, w.message])).toEqual([
      ['r2', 'could not record the conversation'],
      ['r3', 'could not record the conversation'],
    ]);
    expect(JSON.stringify(warnings)).toContain('ECONNREFUSED');
  });

  it('leaves turns unrecorded beyond its bound while the database hangs, and records again once it answers', async () => {
    const { store, warnings, writer } = setup();
    const open = store.hold();
    for (let i = 0; i < MAX_UNWRITTEN + 3; i++) writer.write(`r${i}`, turn(`c${i}`));
    expect(warnings.map((w) => w.fields.requestId)).toEqual([`r${MAX_UNWRITTEN}`, `r${MAX_UNWRITTEN + 1}`, `r${MAX_UNWRITTEN + 2}`]);
    open();
    await writer.settled();
    expect(store.written).toHaveLength(MAX_UNWRITTEN);
    writer.write('later', turn('later'));
    await writer.settled();
    expect(store.written.at(-1)).toBe('later');
  });
});
