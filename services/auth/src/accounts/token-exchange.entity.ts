import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An entered refresh or session token's (or Codex refresh token's) exchange, kept (sealed) until the account holding its successor is stored. */
@Entity({ name: 'token_exchanges' })
@Check('token_exchanges_kind_check', `"kind" IN ('refresh', 'session', 'codex_refresh')`)
export class TokenExchangeEntity {
  /** sha256 (hex) of the token that was entered. */
  @PrimaryColumn({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  /** `codex_refresh`: a refresh token of Codex's OAuth client (refreshed with that client, never the web one). */
  kind!: 'refresh' | 'session' | 'codex_refresh';

  @Column({ name: 'access_token_enc', type: 'text' })
  accessTokenEnc!: string;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz' })
  accessTokenExpiresAt!: Date;

  /** The rotated refresh token or session cookie (the entered one when the upstream did not rotate it). */
  @Column({ name: 'successor_enc', type: 'text' })
  successorEnc!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
