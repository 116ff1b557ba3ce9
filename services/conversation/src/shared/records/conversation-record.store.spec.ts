import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { CONVERSATION_MIGRATIONS } from '../../migrations/index.js';
import type { Logger } from '@chatgate/service-kit';
import { waitFor } from '@chatgate/testing';
import { ConversationRecordStore } from './conversation-record.store.js';
import { RecordWriter } from './record-writer.js';
import type { FinishedTurn } from './conversation-record.js';

// A database of its own on the test server, with the service's real migrations applied.
const BASE = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
const NAME = `chatgate_records_${randomBytes(6).toString('hex')}`;
const admin = new URL(BASE);
admin.pathname = '/postgres';
const url = new URL(BASE);
url.pathname = `/${NAME}`;

let db: DataSource;
let store: ConversationRecordStore;

async function onAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const turn = (over: Partial<FinishedTurn>): FinishedTurn => ({
  tenantId: 't1',
  ownerKey: 'user:alice',
  userId: 'alice',
  credentialId: 'cred-a',
  conversationId: 'c1',
  accountId: 'acc-1',
  model: 'gpt-4o',
  title: 'First title',
  lastMessageId: 'm1',
  historyHash: 'h1',
  isolated: false,
  ...over,
});

beforeAll(async () => {
  await onAdmin(`CREATE DATABASE "${NAME}"`);
  const setup = new pg.Client({ connectionString: url.toString() });
  await setup.connect();
  await setup.query('CREATE SCHEMA "conversation"');
  await setup.end();
  db = new DataSource({ type: 'postgres', url: url.toString(), schema: 'conversation', migrations: CONVERSATION_MIGRATIONS, migrationsTableName: 'migrations' });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  store = new ConversationRecordStore(db);
});

afterAll(async () => {
  await db?.destroy();
  await onAdmin(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
});

describe('ConversationRecordStore', () => {
  it('records a turn, then advances the same record on the next one (keeping the first title)', async () => {
    await store.recordTurns([turn({})]);
    expect(await store.findByHistory('t1', 'user:alice', 'h1')).toMatchObject({ conversationId: 'c1', lastMessageId: 'm1', accountId: 'acc-1', title: 'First title', isVisible: true });

    await store.recordTurns([turn({ lastMessageId: 'm2', historyHash: 'h2', title: 'ignored', accountId: null })]);
    expect(await store.findByHistory('t1', 'user:alice', 'h1')).toBeNull();
    expect(await store.findByHistory('t1', 'user:alice', 'h2')).toMatchObject({ conversationId: 'c1', lastMessageId: 'm2', accountId: 'acc-1', title: 'First title' });
    expect((await store.list({ tenantId: 't1', ownerKey: 'user:alice' }, 0, 10)).total).toBe(1);
  });

  it('finds by history only within the owner and tenant, and never a hidden one', async () => {
    await store.recordTurns([turn({ conversationId: 'c-bob', ownerKey: 'user:bob', userId: 'bob', historyHash: 'shared' })]);
    await store.recordTurns([turn({ conversationId: 'c-other-tenant', tenantId: 't2', historyHash: 'shared' })]);
    expect(await store.findByHistory('t1', 'user:alice', 'shared')).toBeNull();
    expect((await store.findByHistory('t1', 'user:bob', 'shared'))?.conversationId).toBe('c-bob');

    await store.hide({ tenantId: 't1', ownerKey: 'user:bob' }, 'c-bob');
    expect(await store.findByHistory('t1', 'user:bob', 'shared')).toBeNull();
    expect(await store.find({ tenantId: 't1', ownerKey: 'user:bob' }, 'c-bob')).toMatchObject({ isVisible: false });
  });

  it('scopes reads: an owner sees their own, a shared scope the accounts it may use', async () => {
    await store.recordTurns([turn({ conversationId: 'c-acc2', accountId: 'acc-2', historyHash: 'h-acc2' })]);
    expect(await store.find({ tenantId: 't1', ownerKey: 'user:bob' }, 'c1')).toBeNull();
    expect(await store.find({ tenantId: 't1', accountIds: ['acc-2'] }, 'c1')).toBeNull();
    expect(await store.find({ tenantId: 't1', accountIds: ['acc-1'] }, 'c1')).toMatchObject({ ownerKey: 'user:alice' });
    expect(await store.find({ tenantId: 't1', accountIds: null }, 'c-acc2')).toMatchObject({ accountId: 'acc-2' });
    expect(await store.find({ tenantId: 't2', accountIds: null }, 'c1')).toBeNull();
  });

  it("keeps raw-token and isolated users' records out of every shared scope", async () => {
    await store.recordTurns([turn({ tenantId: 't4', conversationId: 'raw', ownerKey: 'credential:raw', userId: null, accountId: null, title: 'my secret question' })]);
    await store.recordTurns([turn({ tenantId: 't4', conversationId: 'iso', ownerKey: 'user:iris', userId: 'iris', isolated: true })]);
    await store.recordTurns([turn({ tenantId: 't4', conversationId: 'pub', ownerKey: 'user:paul', userId: 'paul' })]);
    const shared = { tenantId: 't4', accountIds: null };
    expect((await store.list(shared, 0, 10)).items.map((r) => r.conversationId)).toEqual(['pub']);
    expect(await store.find(shared, 'raw')).toBeNull();
    expect(await store.find(shared, 'iso')).toBeNull();
    await store.setTitle(shared, 'iso', 'renamed by another');
    await store.hide(shared, 'iso');
    expect(await store.find({ tenantId: 't4', ownerKey: 'user:iris' }, 'iso')).toMatchObject({ title: 'First title', isVisible: true });
    // The owners still see their own, and any owner's record is found by id (to refuse it, not to serve it).
    expect((await store.list({ tenantId: 't4', ownerKey: 'credential:raw' }, 0, 10)).total).toBe(1);
    expect(await store.anyOwner('t4', 'iso')).toMatchObject({ ownerKey: 'user:iris' });
    expect(await store.anyOwner('t1', 'iso')).toBeNull();
  });

  it("keeps a record isolated once it was, and an isolated turn takes the owner's older records private", async () => {
    const ida = { tenantId: 't5', ownerKey: 'user:ida', userId: 'ida' };
    await store.recordTurns([turn({ ...ida, conversationId: 'a' })]);
    expect(await store.find({ tenantId: 't5', accountIds: null }, 'a')).not.toBeNull();
    await store.recordTurns([turn({ ...ida, conversationId: 'b', isolated: true })]);
    expect(await store.find({ tenantId: 't5', accountIds: null }, 'a')).toBeNull();
    await store.recordTurns([turn({ ...ida, conversationId: 'b', isolated: false, lastMessageId: 'm2' })]);
    expect(await store.find({ tenantId: 't5', ownerKey: 'user:ida' }, 'b')).toMatchObject({ isolated: true, lastMessageId: 'm2' });
    // The management path marks an owner on their first isolated call.
    await store.recordTurns([turn({ tenantId: 't5', ownerKey: 'user:ivo', userId: 'ivo', conversationId: 'c' })]);
    await store.markIsolated([{ tenantId: 't5', ownerKey: 'user:ivo' }]);
    expect(await store.find({ tenantId: 't5', accountIds: null }, 'c')).toBeNull();
  });

  it('writes a batch in one statement, folding turns of one conversation as one by one would', async () => {
    const one = { tenantId: 't6', ownerKey: 'user:bea', userId: 'bea' };
    await store.recordTurns([turn({ ...one, conversationId: 'untitled', title: null, accountId: 'acc-1' })]);
    await store.recordTurns([turn({ ...one, conversationId: 'titled', title: 'Kept', accountId: 'acc-1' })]);
    await store.recordTurns([
      turn({ ...one, conversationId: 'new', title: 'First', accountId: 'acc-1', lastMessageId: 'n1', historyHash: 'hn1' }),
      turn({ ...one, conversationId: 'untitled', title: 'Named later', accountId: null, lastMessageId: 'u2', historyHash: 'hu2' }),
      turn({ ...one, conversationId: 'titled', title: 'Not this', accountId: 'acc-3', lastMessageId: 't2', historyHash: 'ht2' }),
      turn({ ...one, conversationId: 'new', title: 'Second', accountId: 'acc-2', lastMessageId: 'n2', historyHash: 'hn2' }),
      turn({ ...one, conversationId: 'untitled', title: 'Third', accountId: null, lastMessageId: 'u3', historyHash: 'hu3' }),
      turn({ ...one, conversationId: 'new', title: null, accountId: null, lastMessageId: 'n3', historyHash: 'hn3' }),
    ]);
    const own = { tenantId: 't6', ownerKey: 'user:bea' };
    // The newest answer; the first title (an existing one first of all); the newest account named.
    expect(await store.find(own, 'new')).toMatchObject({ title: 'First', accountId: 'acc-2', lastMessageId: 'n3', historyHash: 'hn3' });
    expect(await store.find(own, 'untitled')).toMatchObject({ title: 'Named later', accountId: 'acc-1', lastMessageId: 'u3', historyHash: 'hu3' });
    expect(await store.find(own, 'titled')).toMatchObject({ title: 'Kept', accountId: 'acc-3', lastMessageId: 't2' });
  });

  it('is refused as data (SQLSTATE class 22) for a value Postgres cannot hold, writing nothing of the batch', async () => {
    const one = { tenantId: 't7', ownerKey: 'user:nul', userId: 'nul' };
    const refused = await store.recordTurns([turn({ ...one, conversationId: 'fine' }), turn({ ...one, conversationId: 'bad\u0000id' })]).catch((err: unknown) => err);
    expect((refused as { code?: string }).code).toMatch(/^22/);
    expect(await store.find({ tenantId: 't7', ownerKey: 'user:nul' }, 'fine')).toBeNull();
  });

  it('lists a conversation two users continued once in a shared scope', async () => {
    await store.recordTurns([turn({ tenantId: 't3', conversationId: 'shared-c' })]);
    await store.recordTurns([turn({ tenantId: 't3', conversationId: 'shared-c', ownerKey: 'user:carol', userId: 'carol', lastMessageId: 'm9' })]);
    const shared = await store.list({ tenantId: 't3', accountIds: null }, 0, 10);
    expect(shared.total).toBe(1);
    expect(shared.items).toEqual([expect.objectContaining({ conversationId: 'shared-c', ownerKey: 'user:carol', lastMessageId: 'm9' })]);
  });

  it('lists visible records newest first with a total, pages, renames and hides all of a scope', async () => {
    const alice = { tenantId: 't1', ownerKey: 'user:alice' };
    await store.recordTurns([turn({ conversationId: 'c-new', historyHash: 'h-new' })]);
    const page = await store.list(alice, 0, 2);
    expect(page.total).toBe(3);
    expect(page.items.map((r) => r.conversationId)).toEqual(['c-new', 'c-acc2']);
    expect((await store.list(alice, 2, 2)).items.map((r) => r.conversationId)).toEqual(['c1']);

    await store.setTitle(alice, 'c1', 'Renamed');
    expect((await store.find(alice, 'c1'))?.title).toBe('Renamed');
    await store.setTitle({ tenantId: 't1', ownerKey: 'user:bob' }, 'c1', 'Not yours');
    expect((await store.find(alice, 'c1'))?.title).toBe('Renamed');

    const hidden = await store.hideAll(alice);
    expect(hidden.map((r) => r.conversationId).sort()).toEqual(['c-acc2', 'c-new', 'c1']);
    expect((await store.list(alice, 0, 10)).total).toBe(0);
    expect(await store.hideAll(alice)).toEqual([]);
  });
});

describe('RecordWriter on Postgres', () => {
  /** Warnings the writer logged. */
  const warnings: string[] = [];
  const logger = { warn: (_fields: unknown, message: string) => void warnings.push(message) } as unknown as Logger;

  it("writes a turn whose statement lost its connection mid-way (the server ended it) on the second try", async () => {
    const one = { tenantId: 't8', ownerKey: 'user:kit', userId: 'kit' };
    await store.recordTurns([turn({ ...one, conversationId: 'locked', lastMessageId: 'm1' })]);
    // Another session holds the record's row, so the writer's statement waits on it ...
    const holder = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "conversation"."conversations" WHERE "tenant_id" = 't8' AND "conversation_id" = 'locked' FOR UPDATE`);
    const writer = new RecordWriter(store, logger, 10_000);
    writer.write('r-locked', turn({ ...one, conversationId: 'locked', lastMessageId: 'm2' }));
    // Watched from outside any transaction (inside one, pg_stat_activity is read once and kept).
    const watcher = new pg.Client({ connectionString: url.toString() });
    await watcher.connect();
    const waiting = async () =>
      (await watcher.query(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "conversation"."conversations"%'`)).rows as Array<{ pid: number }>;
    await waitFor(async () => ((await waiting()).length === 1 ? true : null), 'the writer waiting on the lock');
    // ... until its backend is terminated under it (57P01), as a restart or an administrator would.
    const [{ pid }] = await waiting();
    await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(async () => ((await waiting()).some((w) => w.pid !== pid) ? true : null), 'the second try waiting on the lock');
    await holder.query('COMMIT');
    await holder.end();
    await watcher.end();
    await writer.settled();
    expect(await store.find({ tenantId: 't8', ownerKey: 'user:kit' }, 'locked')).toMatchObject({ lastMessageId: 'm2' });
    expect(warnings).toEqual([]);
  });
});
