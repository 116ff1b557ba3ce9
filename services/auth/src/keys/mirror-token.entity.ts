import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** ChatGPT-Mirror's fixed token for one (user, account); sealed so get-mirror-token can answer it again. */
@Entity({ name: 'mirror_tokens' })
export class MirrorTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
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
