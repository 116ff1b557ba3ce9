import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const REFRESH_TRIGGERS = ['startup', 'schedule', 'admin'] as const;
export type RefreshTrigger = (typeof REFRESH_TRIGGERS)[number];
export type RefreshPassStatus = 'running' | 'finished';

/**
 * One refresh pass over the accounts of every tenant. The counters are only ever
 * changed by single SQL statements (see RefreshPassRepository), so replicas finishing jobs at the
 * same moment never lose an increment. The accounts of a pass are rows of
 * `refresh_pass_accounts`, written and read with SQL only.
 */
@Entity({ name: 'refresh_passes' })
@Index('refresh_passes_one_running', ['status'], { unique: true, where: `"status" = 'running'` })
@Index('refresh_passes_schedule_day', ['scheduleDay'], { unique: true, where: '"schedule_day" IS NOT NULL' })
// ("started_at" DESC): a decorator cannot say DESC, so the index is named here and left to its migration.
@Index('refresh_passes_started', { synchronize: false })
@Check('refresh_passes_trigger_check', `"trigger" IN ('startup', 'schedule', 'admin')`)
@Check('refresh_passes_status_check', `"status" IN ('running', 'finished')`)
export class RefreshPassEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Forced: every account with a refresh or session token; otherwise only the ones about to expire. */
  @Column({ type: 'boolean' })
  forced!: boolean;

  @Column({ type: 'text' })
  trigger!: RefreshTrigger;

  @Column({ type: 'text' })
  status!: RefreshPassStatus;

  @Column({ type: 'int', default: 0 })
  total!: number;

  @Column({ type: 'int', default: 0 })
  done!: number;

  @Column({ type: 'int', default: 0 })
  failed!: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** The REFRESH_TZ calendar day a scheduled forced pass was claimed for (unique: one per day). */
  @Column({ name: 'schedule_day', type: 'date', nullable: true })
  scheduleDay!: string | null;

  /** Last time an account of the pass finished; a running pass silent for long is closed. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
