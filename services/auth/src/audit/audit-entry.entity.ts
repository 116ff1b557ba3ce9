import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditAction } from '@chatgate/contracts';

/** One admin change: who, what, when, from where. Never a secret in `details`. */
@Entity({ name: 'audit_log' })
// ("tenant_id", "at" DESC) and ("at" DESC): a decorator cannot say DESC, so the indexes are named here and left to their migration.
@Index('audit_log_tenant_at', { synchronize: false })
@Index('audit_log_at', { synchronize: false })
@Check('audit_log_actor_kind_check', `"actor_kind" IN ('operator', 'tenant_admin')`)
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: 'operator' | 'tenant_admin';

  @Column({ name: 'actor_key_id', type: 'uuid', nullable: true })
  actorKeyId!: string | null;

  @Column({ name: 'actor_address', type: 'text', nullable: true })
  actorAddress!: string | null;

  @Column({ type: 'text' })
  action!: AuditAction;

  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;
}
