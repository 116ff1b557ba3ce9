import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ServiceMetrics } from '@chatgate/service-kit';
import { AUTH_SCHEMA } from '../auth.config.js';
import { usedPercentNow, type CodexLimits } from '../accounts/codex-limits.js';

/** A scrape within this long of the last one reads the same figures (several scrapers, one query). */
const FRESH_MS = 5000;

const STATUSES = ['active', 'cooling', 'needs_token', 'disabled'] as const;

interface PoolRow {
  kind: string;
  status: string;
  count: string;
}

interface WindowRow {
  id: string;
  limits: CodexLimits;
}

interface PassRow {
  status: string;
  total: number;
  done: number;
  failed: number;
  started_at: Date;
}

/**
 * Auth's series, read from its tables at scrape time (all tenants together: tenant ids are not labels):
 * - `chatgate_pool_accounts{kind, status}`: upstream accounts by kind and by the status an admin sees
 *   (`cooling` while a cool-down or usage limit runs, though stored `active`);
 * - `chatgate_refresh_pass_accounts{state}` (total, done, failed, remaining) and `chatgate_refresh_pass_running`
 *   of the latest refresh pass, and its start time;
 * - `chatgate_codex_window_used_percent{account, window}` and `chatgate_codex_window_resets_seconds{account, window}`:
 *   each Codex login's usage windows (primary, secondary) as the upstream last reported them. One series per
 *   window of each Codex login that has reported any: as many as the operator entered, never per request.
 */
@Injectable()
export class AuthMetrics {
  private readAt = 0;
  private reading: Promise<void> | null = null;
  private pool: PoolRow[] = [];
  private pass: PassRow | null = null;
  private windows: WindowRow[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Optional() metrics?: ServiceMetrics,
  ) {
    if (!metrics) return;
    const read = () => this.read();
    const pool = () => this.pool;
    const latest = () => this.pass;
    const windows = () => this.windows;
    metrics.gauge({
      name: 'chatgate_pool_accounts',
      help: 'Upstream accounts by kind and status (active, cooling, needs_token, disabled), all tenants',
      labelNames: ['kind', 'status'],
      async collect() {
        await read();
        this.reset();
        const kinds = new Set(['chatgpt', ...pool().map((r) => r.kind)]);
        for (const kind of kinds) for (const status of STATUSES) this.set({ kind, status }, 0);
        for (const row of pool()) this.set({ kind: row.kind, status: row.status }, Number(row.count));
      },
    });
    metrics.gauge({
      name: 'chatgate_refresh_pass_accounts',
      help: 'The latest refresh pass: accounts in it (total), refreshed (done), failed, and still to do (remaining)',
      labelNames: ['state'],
      async collect() {
        await read();
        const p = latest();
        this.set({ state: 'total' }, p?.total ?? 0);
        this.set({ state: 'done' }, p?.done ?? 0);
        this.set({ state: 'failed' }, p?.failed ?? 0);
        this.set({ state: 'remaining' }, p && p.status !== 'finished' ? Math.max(0, p.total - p.done - p.failed) : 0);
      },
    });
    metrics.gauge({
      name: 'chatgate_codex_window_used_percent',
      help: "A Codex login's usage window (primary: the short one, secondary: the week), percent used as last reported; 0 once it reset",
      labelNames: ['account', 'window'],
      async collect() {
        await read();
        this.reset();
        const now = Date.now();
        for (const { id, limits } of windows()) {
          for (const window of ['primary', 'secondary'] as const) {
            if (limits[window]) this.set({ account: id, window }, usedPercentNow(limits[window], now));
          }
        }
      },
    });
    metrics.gauge({
      name: 'chatgate_codex_window_resets_seconds',
      help: "When a Codex login's usage window resets (Unix seconds), as last reported",
      labelNames: ['account', 'window'],
      async collect() {
        await read();
        this.reset();
        for (const { id, limits } of windows()) {
          for (const window of ['primary', 'secondary'] as const) {
            const resetAt = limits[window]?.resetAtSec;
            if (resetAt != null) this.set({ account: id, window }, resetAt);
          }
        }
      },
    });
    metrics.gauge({
      name: 'chatgate_refresh_pass_running',
      help: 'Whether a refresh pass is running (1) or not (0)',
      async collect() {
        await read();
        const p = latest();
        this.set(p && p.status !== 'finished' ? 1 : 0);
      },
    });
    metrics.gauge({
      name: 'chatgate_refresh_pass_started_seconds',
      help: 'When the latest refresh pass started (Unix seconds; 0: none yet)',
      async collect() {
        await read();
        const p = latest();
        this.set(p ? Math.floor(new Date(p.started_at).getTime() / 1000) : 0);
      },
    });
  }

  private read(): Promise<void> {
    if (Date.now() - this.readAt < FRESH_MS) return Promise.resolve();
    this.reading ??= this.query().finally(() => {
      this.reading = null;
      this.readAt = Date.now();
    });
    return this.reading;
  }

  private async query(): Promise<void> {
    try {
      const now = Date.now();
      this.pool = await this.db.query(
        `SELECT kind,
                CASE WHEN status IN ('active', 'cooling') THEN
                       CASE WHEN (limited_until IS NOT NULL AND limited_until > now())
                              OR EXISTS (SELECT 1 FROM jsonb_each_text(cooldowns) c WHERE c.value ~ '^[0-9]+(\\.[0-9]+)?$' AND c.value::numeric > $1)
                            THEN 'cooling' ELSE 'active' END
                     ELSE status END AS status,
                count(*) AS count
           FROM ${AUTH_SCHEMA}.upstream_accounts
          GROUP BY 1, 2`,
        [now],
      );
      const [pass] = await this.db.query(`SELECT status, total, done, failed, started_at FROM ${AUTH_SCHEMA}.refresh_passes ORDER BY started_at DESC LIMIT 1`);
      this.pass = pass ?? null;
      this.windows = await this.db.query(`SELECT id, limits FROM ${AUTH_SCHEMA}.upstream_accounts WHERE kind = 'codex' AND limits IS NOT NULL AND status <> 'disabled'`);
    } catch {
      // The database did not answer: the last figures stand (health says why).
    }
  }
}
