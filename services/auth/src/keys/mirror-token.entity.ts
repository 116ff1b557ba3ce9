import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** ChatGPT-Mirror's fixed token for one (user, account); sealed so get-mirror-token can answer it again. */
@Entity({ name: 'mirror_tokens' })
@Unique('mirror_tokens_hash_key', ['hash'])
@Index('mirror_tokens_live', ['userId', 'accountId'], { unique: true, where: '"revoked_at" IS NULL' })
export class MirrorTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'mirror_tokens_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'mirror_tokens_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  @ForeignKey(() => UpstreamAccountEntity, { name: 'mirror_tokens_account_id_fkey', onDelete: 'CASCADE' })
  accountId!: string;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'token_enc', type: 'text' })
  tokenEnc!: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
