import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsSource } from '@chatgate/service-kit/postgres';
import type { ConversationRecord, FinishedTurn, RecordScope } from './conversation-record.js';

const COLUMNS = `"tenant_id", "owner_key", "conversation_id", "user_id", "credential_id", "account_id", "model", "title",
  "last_message_id", "history_hash", "is_visible", "isolated", "created_at", "updated_at"`;

interface Row {
  tenant_id: string;
  owner_key: string;
  conversation_id: string;
  user_id: string | null;
  credential_id: string;
  account_id: string | null;
  model: string;
  title: string | null;
  last_message_id: string;
  history_hash: string;
  is_visible: boolean;
  isolated: boolean;
  created_at: Date;
  updated_at: Date;
}

function toRecord(r: Row): ConversationRecord {
  return {
    tenantId: r.tenant_id,
    ownerKey: r.owner_key,
    conversationId: r.conversation_id,
    userId: r.user_id,
    credentialId: r.credential_id,
    accountId: r.account_id,
    model: r.model,
    title: r.title,
    lastMessageId: r.last_message_id,
    historyHash: r.history_hash,
    isVisible: r.is_visible,
    isolated: r.isolated,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The WHERE clause of a scope, with its parameters starting at $1. A shared scope is pool records of
 * users who are not isolated: a record without an account was made with a caller's own ChatGPT
 * token (its title is that caller's first message), and an isolated user's records are theirs alone.
 */
function scopeFilter(scope: RecordScope): { sql: string; params: unknown[] } {
  if ('ownerKey' in scope) return { sql: `"tenant_id" = $1 AND "owner_key" = $2`, params: [scope.tenantId, scope.ownerKey] };
  const shared = `"account_id" IS NOT NULL AND NOT "isolated"`;
  if (scope.accountIds === null) return { sql: `"tenant_id" = $1 AND ${shared}`, params: [scope.tenantId] };
  return { sql: `"tenant_id" = $1 AND "account_id" = ANY($2::text[]) AND ${shared}`, params: [scope.tenantId, scope.accountIds] };
}

/**
 * One row per record: an upsert cannot touch a row twice, so turns of the same conversation in one
 * batch are folded as the statement's rules would have applied them one by one (the newest answer
 * wins; the first title and user stay; an account is kept unless a later turn names one; isolated
 * once isolated). In key order, so that two batches lock the rows they share in the same order.
 */
function mergedByRecord(turns: ReadonlyArray<FinishedTurn>): FinishedTurn[] {
  const rows = new Map<string, FinishedTurn>();
  for (const turn of turns) {
    const key = `${turn.tenantId}\u0000${turn.ownerKey}\u0000${turn.conversationId}`;
    const earlier = rows.get(key);
    rows.set(
      key,
      earlier
        ? { ...turn, userId: earlier.userId, title: earlier.title ?? turn.title, accountId: turn.accountId ?? earlier.accountId, isolated: earlier.isolated || turn.isolated }
        : turn,
    );
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** Conversation records in Postgres (schema `conversation`). */
@Injectable()
export class ConversationRecordStore {
  constructor(private readonly db: DataSource) {}

  /** The visible conversation of this owner whose history (as sent and answered) has this hash; the newest if several. */
  async findByHistory(tenantId: string, ownerKey: string, historyHash: string): Promise<ConversationRecord | null> {
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM "conversation"."conversations"
        WHERE "tenant_id" = $1 AND "owner_key" = $2 AND "history_hash" = $3 AND "is_visible"
        ORDER BY "updated_at" DESC LIMIT 1`,
      [tenantId, ownerKey, historyHash],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** One conversation the scope may see (visible or not), else null. */
  async find(scope: RecordScope, conversationId: string): Promise<ConversationRecord | null> {
    const filter = scopeFilter(scope);
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM "conversation"."conversations"
        WHERE ${filter.sql} AND "conversation_id" = $${filter.params.length + 1}
        ORDER BY "updated_at" DESC LIMIT 1`,
      [...filter.params, conversationId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Any record of this conversation chatgate keeps in the tenant, whoever owns it: a conversation
   * recorded for someone the caller may not see is refused by id rather than sent upstream blind.
   */
  async anyOwner(tenantId: string, conversationId: string): Promise<ConversationRecord | null> {
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM "conversation"."conversations" WHERE "tenant_id" = $1 AND "conversation_id" = $2 ORDER BY "updated_at" DESC LIMIT 1`,
      [tenantId, conversationId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Marks isolated owners' records isolated (those written before the column existed, or while
   * the owner was not isolated). Never cleared: what was made privately stays private.
   */
  async markIsolated(owners: ReadonlyArray<{ tenantId: string; ownerKey: string }>): Promise<void> {
    if (!owners.length) return;
    await this.db.query(
      `UPDATE "conversation"."conversations" AS c SET "isolated" = true
         FROM unnest($1::text[], $2::text[]) AS o("tenant_id", "owner_key")
        WHERE c."tenant_id" = o."tenant_id" AND c."owner_key" = o."owner_key" AND NOT c."isolated"`,
      [owners.map((o) => o.tenantId), owners.map((o) => o.ownerKey)],
    );
  }

  /**
   * Finished turns, in the order they finished, in one statement: each a new record or the existing
   * one advanced to its newest answer; then an isolated owner's older records go private too.
   */
  async recordTurns(turns: ReadonlyArray<FinishedTurn>): Promise<void> {
    const rows = mergedByRecord(turns).map((t) => [t.tenantId, t.ownerKey, t.conversationId, t.userId, t.credentialId, t.accountId, t.model, t.title, t.lastMessageId, t.historyHash, t.isolated]);
    const source = rowsSource(rows, [...Array<string>(10).fill('text'), 'boolean']);
    await this.db.query(
      `INSERT INTO "conversation"."conversations" AS c
         ("tenant_id", "owner_key", "conversation_id", "user_id", "credential_id", "account_id", "model", "title", "last_message_id", "history_hash", "isolated")
       ${source.sql}
       ON CONFLICT ("tenant_id", "owner_key", "conversation_id") DO UPDATE SET
         "isolated" = c."isolated" OR excluded."isolated",
         "credential_id" = excluded."credential_id",
         "account_id" = coalesce(excluded."account_id", c."account_id"),
         "model" = excluded."model",
         "title" = coalesce(c."title", excluded."title"),
         "last_message_id" = excluded."last_message_id",
         "history_hash" = excluded."history_hash",
         "updated_at" = now()`,
      source.params,
    );
    const isolated = new Map(turns.filter((t) => t.isolated).map((t) => [`${t.tenantId}\u0000${t.ownerKey}`, t]));
    await this.markIsolated([...isolated.values()]);
  }

  /** Visible conversations of the scope, newest first, and how many there are. */
  async list(scope: RecordScope, offset: number, limit: number): Promise<{ items: ConversationRecord[]; total: number }> {
    const filter = scopeFilter(scope);
    const n = filter.params.length;
    // In a shared scope one upstream conversation can have a record per user who continued it: listed once, newest.
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT * FROM (
           SELECT DISTINCT ON ("conversation_id") ${COLUMNS} FROM "conversation"."conversations"
            WHERE ${filter.sql} AND "is_visible" ORDER BY "conversation_id", "updated_at" DESC
         ) AS latest ORDER BY "updated_at" DESC, "conversation_id" LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...filter.params, limit, offset],
      ) as Promise<Row[]>,
      this.db.query(`SELECT count(DISTINCT "conversation_id")::int AS "total" FROM "conversation"."conversations" WHERE ${filter.sql} AND "is_visible"`, filter.params) as Promise<
        Array<{ total: number }>
      >,
    ]);
    return { items: rows.map(toRecord), total: count[0]?.total ?? 0 };
  }

  async setTitle(scope: RecordScope, conversationId: string, title: string): Promise<void> {
    const filter = scopeFilter(scope);
    const n = filter.params.length;
    await this.db.query(
      `UPDATE "conversation"."conversations" SET "title" = $${n + 2}, "updated_at" = now() WHERE ${filter.sql} AND "conversation_id" = $${n + 1}`,
      [...filter.params, conversationId, title],
    );
  }

  async hide(scope: RecordScope, conversationId: string): Promise<void> {
    const filter = scopeFilter(scope);
    await this.db.query(
      `UPDATE "conversation"."conversations" SET "is_visible" = false WHERE ${filter.sql} AND "conversation_id" = $${filter.params.length + 1}`,
      [...filter.params, conversationId],
    );
  }

  /** Hides every visible conversation of the scope; returns them (the upstream hides each on its account). */
  async hideAll(scope: RecordScope): Promise<ConversationRecord[]> {
    const filter = scopeFilter(scope);
    const rows: Row[] = await this.db.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count] rather than the rows.
      `WITH hidden AS (
         UPDATE "conversation"."conversations" SET "is_visible" = false WHERE ${filter.sql} AND "is_visible" RETURNING ${COLUMNS}
       ) SELECT * FROM hidden`,
      filter.params,
    );
    return rows.map(toRecord);
  }
}
