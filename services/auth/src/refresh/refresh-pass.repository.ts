import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { RefreshPassEntity, type RefreshTrigger } from './refresh-pass.entity.js';

export interface OpenPassInput {
  forced: boolean;
  trigger: RefreshTrigger;
  startedAt: Date;
  /** Non-forced passes take the accounts whose access token expires before this. */
  expiringBefore: Date;
  scheduleDay: string | null;
}

export interface PassFailure {
  accountId: string;
  email: string | null;
  /** The account's last error, as the refresher recorded it (never a token). */
  message: string | null;
}

type Row = Record<string, unknown>;

/** TypeORM hands back `[rows, count]` for UPDATE and DELETE and the rows alone otherwise. */
function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}

/**
 * The SQL of refresh passes. Every counter change is one statement, so any number of jobs on any
 * number of replicas can finish at once; a pass's accounts are listed in `refresh_pass_accounts`,
 * and a job credits every open listing of its account, which is what makes a job that another
 * pass had already queued (BullMQ refuses the duplicate id) count for both.
 */
@Injectable()
export class RefreshPassRepository {
  constructor(@InjectRepository(RefreshPassEntity) private readonly passes: Repository<RefreshPassEntity>) {}

  byId(id: string): Promise<RefreshPassEntity | null> {
    return this.passes.findOneBy({ id });
  }

  latest(): Promise<RefreshPassEntity | null> {
    return this.passes.findOne({ where: {}, order: { startedAt: 'DESC' } });
  }

  /** The most recent passes, newest first. */
  recent(limit: number): Promise<RefreshPassEntity[]> {
    return this.passes.find({ order: { startedAt: 'DESC' }, take: limit });
  }

  current(): Promise<RefreshPassEntity | null> {
    return this.passes.findOneBy({ status: 'running' });
  }

  byScheduleDay(day: string): Promise<RefreshPassEntity | null> {
    return this.passes.findOneBy({ scheduleDay: day });
  }

  async lastForcedStart(): Promise<Date | null> {
    const [row] = rowsOf(await this.passes.query(`SELECT max(started_at) AS at FROM "auth"."refresh_passes" WHERE forced`));
    return row?.at instanceof Date ? row.at : null;
  }

  /**
   * Opens a pass and lists its accounts in one transaction, or returns null when another pass is
   * running or (for a scheduled pass) the day was already claimed: both are unique indexes, so two
   * replicas trying at the same moment get one pass between them.
   */
  open(input: OpenPassInput): Promise<{ pass: RefreshPassEntity; accountIds: string[] } | null> {
    return this.passes.manager.transaction(async (m) => {
      const [inserted] = rowsOf(
        await m.query(
          `INSERT INTO "auth"."refresh_passes" (forced, trigger, status, started_at, schedule_day)
           VALUES ($1, $2, 'running', $3, $4)
           ON CONFLICT DO NOTHING
           RETURNING id`,
          [input.forced, input.trigger, input.startedAt, input.scheduleDay],
        ),
      );
      if (!inserted) return null;
      const passId = String(inserted.id);
      // Disabled accounts and API keys (nothing to refresh) are left alone. A non-forced pass also leaves accounts that need a new
      // token: their credential is dead and only a forced pass (or a new token) tries it again. A Codex login that needs one is
      // never tried by a pass: its refresh token was refused or may be spent, and presenting it again can end the login.
      const listed = rowsOf(
        await m.query(
          `INSERT INTO "auth"."refresh_pass_accounts" (pass_id, account_id)
           SELECT $1, a.id FROM "auth"."upstream_accounts" a
            WHERE a.status <> 'disabled' AND a.kind IN ('chatgpt', 'codex')
              AND (a.refresh_token_enc IS NOT NULL OR a.session_token_enc IS NOT NULL)
              AND NOT (a.kind = 'codex' AND a.status = 'needs_token')
              AND ($2 OR (a.status <> 'needs_token' AND (a.access_token_expires_at IS NULL OR a.access_token_expires_at < $3)))
            ORDER BY a.created_at
           RETURNING account_id`,
          [passId, input.forced, input.expiringBefore],
        ),
      );
      const accountIds = listed.map((r) => String(r.account_id));
      // An empty pass is finished the moment it starts.
      await m.query(
        `UPDATE "auth"."refresh_passes"
            SET total = $2, status = CASE WHEN $2 = 0 THEN 'finished' ELSE 'running' END, finished_at = CASE WHEN $2 = 0 THEN now() END
          WHERE id = $1`,
        [passId, accountIds.length],
      );
      const pass = await m.getRepository(RefreshPassEntity).findOneByOrFail({ id: passId });
      return { pass, accountIds };
    });
  }

  /**
   * An account's job has finished for good: credits every running pass that lists the account and
   * has not counted it yet, and finishes the passes whose count reaches their total.
   */
  async recordOutcome(accountId: string, outcome: 'done' | 'failed'): Promise<void> {
    await this.passes.query(
      `WITH credited AS (
         UPDATE "auth"."refresh_pass_accounts" a
            SET outcome = $2, finished_at = now()
           FROM "auth"."refresh_passes" p
          WHERE a.account_id = $1 AND a.outcome IS NULL AND p.id = a.pass_id AND p.status = 'running'
         RETURNING a.pass_id
       )
       UPDATE "auth"."refresh_passes" p
          SET done = p.done + CASE WHEN $2 = 'done' THEN 1 ELSE 0 END,
              failed = p.failed + CASE WHEN $2 = 'failed' THEN 1 ELSE 0 END,
              status = CASE WHEN p.done + p.failed + 1 >= p.total THEN 'finished' ELSE 'running' END,
              finished_at = CASE WHEN p.done + p.failed + 1 >= p.total THEN now() END,
              updated_at = now()
         FROM credited c
        WHERE p.id = c.pass_id`,
      [accountId, outcome],
    );
  }

  /**
   * Finishes running passes that made no progress for `stallMs` (their jobs were lost, e.g. Redis
   * was emptied), counting what is left as failed, so that a new pass can start.
   */
  async closeStalled(stallMs: number, manager: EntityManager = this.passes.manager): Promise<number> {
    const closed = rowsOf(
      await manager.query(
        `WITH stalled AS (
           UPDATE "auth"."refresh_passes"
              SET status = 'finished', failed = total - done, finished_at = now(), updated_at = now()
            WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
           RETURNING id
         )
         UPDATE "auth"."refresh_pass_accounts" SET outcome = 'failed', finished_at = now()
          WHERE pass_id IN (SELECT id FROM stalled) AND outcome IS NULL
         RETURNING pass_id`,
        [stallMs],
      ),
    );
    return new Set(closed.map((r) => r.pass_id)).size;
  }

  /** The pass's accounts could not be queued: it ends at once, its accounts counted as failed. */
  async abandon(passId: string): Promise<void> {
    await this.passes.manager.transaction(async (m) => {
      await m.query(`UPDATE "auth"."refresh_pass_accounts" SET outcome = 'failed', finished_at = now() WHERE pass_id = $1 AND outcome IS NULL`, [passId]);
      await m.query(
        `UPDATE "auth"."refresh_passes" SET status = 'finished', failed = total - done, finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'running'`,
        [passId],
      );
    });
  }

  async failures(passId: string, limit: number): Promise<PassFailure[]> {
    const rows = rowsOf(
      await this.passes.query(
        `SELECT i.account_id, a.email, a.last_error_message
           FROM "auth"."refresh_pass_accounts" i
           LEFT JOIN "auth"."upstream_accounts" a ON a.id = i.account_id
          WHERE i.pass_id = $1 AND i.outcome = 'failed'
          ORDER BY i.finished_at
          LIMIT $2`,
        [passId, limit],
      ),
    );
    return rows.map((r) => ({ accountId: String(r.account_id), email: (r.email as string | null) ?? null, message: (r.last_error_message as string | null) ?? null }));
  }

  /** Keeps the account lists of recent passes only; the passes themselves stay as history. */
  async pruneAccountLists(olderThanDays: number): Promise<void> {
    await this.passes.query(
      `DELETE FROM "auth"."refresh_pass_accounts" i USING "auth"."refresh_passes" p
        WHERE p.id = i.pass_id AND p.status = 'finished' AND p.finished_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
  }
}
