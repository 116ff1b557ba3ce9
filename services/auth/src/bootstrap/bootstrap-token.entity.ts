import { CreateDateColumn, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';

/** Which declared token (by sha256 only) became which account: re-applying the file skips the upstream for it. */
@Entity({ name: 'bootstrap_tokens' })
export class BootstrapTokenEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'bootstrap_tokens_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  fingerprint!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  @ForeignKey(() => UpstreamAccountEntity, { name: 'bootstrap_tokens_account_id_fkey', onDelete: 'CASCADE' })
  accountId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
