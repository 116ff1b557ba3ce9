import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Budget, KeyKind } from '@chatgate/contracts';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** A gateway API key of a user, or a tenant admin key: only its sha256 and a visible prefix are kept. */
@Entity({ name: 'api_keys' })
@Unique('api_keys_hash_key', ['hash'])
// ("tenant_id", "created_at" DESC): a decorator cannot say DESC, so the index is named here and left to its migration.
@Index('api_keys_tenant', { synchronize: false })
@Check('api_keys_kind_check', `"kind" IN ('user', 'tenant_admin')`)
@Check('api_keys_check', `("kind" = 'user') = ("user_id" IS NOT NULL)`)
@Check('api_keys_rpm_check', `"rpm" > 0`)
@Check('api_keys_tpm_check', `"tpm" > 0`)
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'api_keys_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  @ForeignKey(() => UserEntity, { name: 'api_keys_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string | null;

  @Column({ type: 'text' })
  kind!: KeyKind;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** This key's own spend cap per period (on top of its user's); null: none. */
  @Column({ type: 'jsonb', nullable: true })
  budget!: Budget | null;

  /** Model names or globs this key may use, on top of its user's list; null: no list of its own. */
  @Column({ name: 'allowed_models', type: 'jsonb', nullable: true })
  allowedModels!: string[] | null;

  /** Requests per minute; null: no limit. */
  @Column({ type: 'integer', nullable: true })
  rpm!: number | null;

  /** Tokens (prompt and completion) per minute; null: no limit. */
  @Column({ type: 'integer', nullable: true })
  tpm!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
