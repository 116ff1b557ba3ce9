import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ModelRoute } from '@chatgate/contracts';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Short, unique, URL-safe name (`default` exists from the first migration). */
  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Which models go to API-key accounts (first match wins); null: DEFAULT_MODEL_ROUTES. */
  @Column({ name: 'model_routes', type: 'jsonb', nullable: true })
  modelRoutes!: ModelRoute[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
