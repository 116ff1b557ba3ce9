import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Budget, ModelLimit } from '@chatgate/contracts';
import { TenantEntity } from '../tenants/tenant.entity.js';

/** A person of a tenant: what their credentials resolve to. */
@Entity({ name: 'users' })
@Index('users_tenant_name', ['tenantId', 'name'], { unique: true })
@Check('users_status_check', `"status" IN ('active', 'disabled')`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'users_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: 'active' })
  status!: 'active' | 'disabled';

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'isolated_session', type: 'boolean', default: false })
  isolatedSession!: boolean;

  /** In the principal's terms ({model, everyMinutes, count}); the wire names are mapped at the edge. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  limits!: ModelLimit[];

  /** Null: every account of the tenant. */
  @Column({ name: 'allowed_account_ids', type: 'jsonb', nullable: true })
  allowedAccountIds!: string[] | null;

  /** Spend cap per period across the user's credentials; null: none. */
  @Column({ type: 'jsonb', nullable: true })
  budget!: Budget | null;

  /** Model names or globs the user's credentials may use; null: every model. */
  @Column({ name: 'allowed_models', type: 'jsonb', nullable: true })
  allowedModels!: string[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
