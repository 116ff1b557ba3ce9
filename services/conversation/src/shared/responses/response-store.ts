import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { storedResponseSchema, type ResponseOwner, type StoredResponse, type UpstreamKind } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { GroupCommit, rowsSource } from '@chatgate/service-kit/postgres';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../../conversation.config.js';
import { ownerKeyOf } from '../records/conversation-record.js';
import { withItemIds } from './stored-answers.js';

/** A stored response as a row holds it. */
export interface ResponseRow {
  id: string;
  tenantId: string;
  ownerKey: string;
  upstream: UpstreamKind;
  accountId: string | null;
  model: string;
  response: Record<string, unknown> | null;
  input: Array<Record<string, unknown>> | null;
  conversationId: string | null;
  messageId: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  owner_key: string;
  upstream: UpstreamKind;
  account_id: string | null;
  model: string;
  /** JSON text (not jsonb, which refuses a NUL in a string). */
  response: string | null;
  input: string | null;
  conversation_id: string | null;
  message_id: string | null;
  created_at: Date;
}

const toRow = (r: Row): ResponseRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  ownerKey: r.owner_key,
  upstream: r.upstream,
  accountId: r.account_id,
  model: r.model,
  response: r.response === null ? null : (JSON.parse(r.response) as Record<string, unknown>),
  input: r.input === null ? null : (JSON.parse(r.input) as Array<Record<string, unknown>>),
  conversationId: r.conversation_id,
  messageId: r.message_id,
  createdAt: r.created_at,
});

/** A new row's columns, id to message id, in the INSERT's order (JSON as text). */
type NewRow = [string, string, string, string | null, string, string, string | null, string, string | null, string | null, string | null, string | null];

function rowOf(owner: ResponseOwner, stored: StoredResponse): NewRow {
  return [
    stored.id,
    owner.tenantId,
    ownerKeyOf(owner),
    owner.userId,
    owner.credentialId,
    stored.upstream,
    stored.accountId,
    stored.model,
    stored.response === null ? null : JSON.stringify(stored.response),
    stored.input === null ? null : JSON.stringify(withItemIds(stored.input)),
    stored.conversationId ?? null,
    stored.messageId ?? null,
  ];
}

/** Saves in one statement at most, by count and by their JSON's size (a response can be most of a MiB). */
const SAVE_BATCH_MAX = 100;
const SAVE_BATCH_BYTES = 4 * 1024 * 1024;

/** Expired rows removed per statement, so a cleanup never holds a long lock. */
const CLEANUP_BATCH = 1000;
const CLEANUP_EVERY_MS = 60 * 60_000;
/** The parts of a save that was never committed (the gateway stopped half way) are dropped after this. */
const UPLOAD_TTL = `interval '1 hour'`;

/** A commit's parts are not the response they name (missing, or not its JSON). */
export class IncompleteUploadError extends Error {}

/**
 * The responses chatgate keeps (schema `conversation`, table `responses`), each its owner's alone: a
 * lookup names the owner, and another user's or tenant's id reads as missing. Rows expire after
 * RESPONSES_RETENTION_DAYS; every replica deletes expired rows at start and hourly (idempotent).
 */
@Injectable()
export class ResponseStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    const run = () => void this.cleanup().catch((err) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'stored responses cleanup failed'));
    run();
    this.timer = setInterval(run, CLEANUP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Keeps a response for its owner, every input item given an id (a second save of the same id changes
   * nothing). Resolves once it is stored: a save must land before the answer's end, so a
   * `previous_response_id` on any replica finds it. Saves made while another is being written go
   * together in one statement (`GroupCommit`); `db` (a transaction) writes this one alone, in it.
   */
  async save(owner: ResponseOwner, stored: StoredResponse, db?: Pick<DataSource, 'query'>): Promise<void> {
    const row = rowOf(owner, stored);
    await (db ? this.insert([row], db) : this.saves.submit(row));
  }

  private readonly saves = new GroupCommit<NewRow>((rows) => this.insert(rows, this.db), { maxItems: SAVE_BATCH_MAX, maxBytes: SAVE_BATCH_BYTES, bytesOf: (row) => (row[8]?.length ?? 0) + (row[9]?.length ?? 0) });

  private async insert(rows: NewRow[], db: Pick<DataSource, 'query'>): Promise<void> {
    const source = rowsSource(rows, Array<string>(12).fill('text'), 2, 'now() + make_interval(days => $1::int)');
    await db.query(
      `INSERT INTO "conversation"."responses"
         ("id", "tenant_id", "owner_key", "user_id", "credential_id", "upstream", "account_id", "model", "response", "input", "conversation_id", "message_id", "expires_at")
       ${source.sql}
       ON CONFLICT ("id") DO NOTHING`,
      [this.config.RESPONSES_RETENTION_DAYS, ...source.params],
    );
  }

  /** Keeps one part of a response's JSON text until its commit (the same part sent again replaces it). */
  async savePart(owner: ResponseOwner, id: string, index: number, chunk: string): Promise<void> {
    await this.db.query(
      `INSERT INTO "conversation"."response_uploads" ("id", "tenant_id", "owner_key", "part", "chunk") VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("tenant_id", "owner_key", "id", "part") DO UPDATE SET "chunk" = EXCLUDED."chunk", "created_at" = now()`,
      [id, owner.tenantId, ownerKeyOf(owner), index, chunk],
    );
  }

  /**
   * Saves the response parts 0…parts−1 make, and drops them, in one transaction. Throws
   * IncompleteUploadError when a part is missing or they are not that response's JSON (the parts
   * stay, for a sender that sends the missing one again, until the hourly cleanup).
   */
  async commitParts(owner: ResponseOwner, id: string, parts: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows: Array<{ part: number; chunk: string }> = await tx.query(
        // (A CTE: TypeORM answers a bare DELETE … RETURNING with [rows, count].)
        `WITH gone AS (DELETE FROM "conversation"."response_uploads" WHERE "id" = $1 AND "tenant_id" = $2 AND "owner_key" = $3 RETURNING "part", "chunk")
         SELECT "part", "chunk" FROM gone ORDER BY "part"`,
        [id, owner.tenantId, ownerKeyOf(owner)],
      );
      if (rows.length !== parts || rows.some((row, i) => row.part !== i)) throw new IncompleteUploadError(`response ${id}: ${rows.length} of ${parts} parts`);
      let stored: StoredResponse;
      try {
        stored = storedResponseSchema.parse(JSON.parse(rows.map((row) => row.chunk).join('')));
      } catch {
        throw new IncompleteUploadError(`response ${id}: the parts are not a stored response`);
      }
      if (stored.id !== id) throw new IncompleteUploadError(`response ${id}: the parts name another response`);
      await this.save(owner, stored, tx);
    });
  }

  /** The owner's unexpired response with this id, else null (whoever else may hold that id). */
  async find(owner: ResponseOwner, id: string): Promise<ResponseRow | null> {
    const rows: Row[] = await this.db.query(
      `SELECT "id", "tenant_id", "owner_key", "upstream", "account_id", "model", "response", "input", "conversation_id", "message_id", "created_at"
         FROM "conversation"."responses" WHERE "id" = $1 AND "tenant_id" = $2 AND "owner_key" = $3 AND "expires_at" > now()`,
      [id, owner.tenantId, ownerKeyOf(owner)],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Deletes the owner's response; false when there was none. */
  async delete(owner: ResponseOwner, id: string): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.db.query(
      `WITH gone AS (DELETE FROM "conversation"."responses" WHERE "id" = $1 AND "tenant_id" = $2 AND "owner_key" = $3 RETURNING "id") SELECT * FROM gone`,
      [id, owner.tenantId, ownerKeyOf(owner)],
    );
    return rows.length > 0;
  }

  /** Removes every expired row, a batch at a time; returns how many. */
  async cleanup(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.db.query(
        `WITH gone AS (
           DELETE FROM "conversation"."responses" WHERE "id" IN (SELECT "id" FROM "conversation"."responses" WHERE "expires_at" <= now() LIMIT ${CLEANUP_BATCH}) RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < CLEANUP_BATCH) break;
    }
    const stale: Array<{ n: number }> = await this.db.query(
      `WITH gone AS (DELETE FROM "conversation"."response_uploads" WHERE "created_at" <= now() - ${UPLOAD_TTL} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    );
    if (stale[0]?.n) this.logger.info({ removed: stale[0].n }, 'parts of unfinished response saves removed');
    if (total > 0) this.logger.info({ removed: total }, 'expired stored responses removed');
    return total;
  }
}
