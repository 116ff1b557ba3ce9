import { Check, Column, CreateDateColumn, Entity, ForeignKey, Generated, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity.js';
import type { AccountKind as ContractAccountKind } from '@chatgate/contracts';
import type { AccountStatus } from './account-status.js';
import type { CodexLimits } from './codex-limits.js';

export interface WorkspaceInfo {
  /** ChatGPT account id of the workspace (the `ChatGPT-Account-Id` header value). */
  id: string;
  plan: string | null;
  structure: 'personal' | 'workspace';
}

/**
 * A ChatGPT login, an API key for the OpenAI platform API (or any OpenAI-compatible server), or a
 * Codex login (`ACCOUNT_KIND_OF` in the contracts names them).
 */
export type AccountKind = ContractAccountKind;
export type ApiStyle = 'openai' | 'azure';

/**
 * A ChatGPT login, an API key or a Codex login a tenant put in. Token columns hold AES-256-GCM ciphertext (see TokenCipher);
 * nothing outside TokenVault ever sees them in clear.
 */
// Constraints and indexes are named as the migrations create them: the schema drift check compares the two.
@Entity({ name: 'upstream_accounts' })
@Index('upstream_accounts_identity', ['tenantId', 'identityKey'], { unique: true })
@Index('upstream_accounts_tenant_status', ['tenantId', 'status'])
@Index('upstream_accounts_tenant_kind', ['tenantId', 'kind'])
@Check('upstream_accounts_status_check', `"status" IN ('active', 'cooling', 'needs_token', 'disabled')`)
@Check('upstream_accounts_kind_check', `"kind" IN ('chatgpt', 'api_key', 'codex')`)
@Check('upstream_accounts_api_style_check', `"api_style" IN ('openai', 'azure')`)
@Check('upstream_accounts_api_key_base', `"kind" <> 'api_key' OR ("base_url" IS NOT NULL AND "api_style" IS NOT NULL)`)
export class UpstreamAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'upstream_accounts_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ type: 'text', default: 'chatgpt' })
  kind!: AccountKind;

  /** An admin's name for an API-key account (its label in views and usage). */
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** API keys: the platform API's base, e.g. `https://api.openai.com/v1`. */
  @Column({ name: 'base_url', type: 'text', nullable: true })
  baseUrl!: string | null;

  @Column({ name: 'api_style', type: 'text', nullable: true })
  apiStyle!: ApiStyle | null;

  /** Azure style: the `api-version` query parameter. */
  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion!: string | null;

  /** Sent as `OpenAI-Organization`. */
  @Column({ type: 'text', nullable: true })
  organization!: string | null;

  /** API keys: model globs this key serves; null serves any model routed to the platform. */
  @Column({ type: 'jsonb', nullable: true })
  models!: string[] | null;

  /** `<email>|<chatgpt account id>`: one row per login and workspace, however often it is entered. */
  @Column({ name: 'identity_key', type: 'text' })
  identityKey!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'chatgpt_account_id', type: 'text', nullable: true })
  chatgptAccountId!: string | null;

  @Column({ name: 'chatgpt_user_id', type: 'text', nullable: true })
  chatgptUserId!: string | null;

  @Column({ type: 'text', nullable: true })
  plan!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  workspaces!: WorkspaceInfo[];

  @Column({ name: 'access_token_enc', type: 'text', nullable: true })
  accessTokenEnc!: string | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt!: Date | null;

  @Column({ name: 'refresh_token_enc', type: 'text', nullable: true })
  refreshTokenEnc!: string | null;

  @Column({ name: 'session_token_enc', type: 'text', nullable: true })
  sessionTokenEnc!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: AccountStatus;

  @Column({ name: 'last_refresh_at', type: 'timestamptz', nullable: true })
  lastRefreshAt!: Date | null;

  @Column({ name: 'last_error_message', type: 'text', nullable: true })
  lastErrorMessage!: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt!: Date | null;

  /** Per model: epoch milliseconds until which the account is cooling down for that model. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  cooldowns!: Record<string, number>;

  /** Codex logins: the usage windows, plan and credits the upstream last reported (`x-codex-*` headers). */
  @Column({ type: 'jsonb', nullable: true })
  limits!: CodexLimits | null;

  /** Codex logins: a 429 `usage_limit_reached` holds the whole account (every model) until then. */
  @Column({ name: 'limited_until', type: 'timestamptz', nullable: true })
  limitedUntil!: Date | null;

  /** Kept stable per account, as the web client keeps one per browser. */
  // Filled by the database (`DEFAULT gen_random_uuid()`); TypeORM calls such a column generated.
  @Column({ name: 'device_id', type: 'uuid' })
  @Generated('uuid')
  deviceId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
