import pg from 'pg';
import type { Stack } from './stack.js';

/** A connection to the stack's own database, and the id of its default tenant (seeded by auth's first migration). */
export async function connectStackDatabase(stack: Stack): Promise<{ db: pg.Client; tenantId: string }> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const tenantId = (await db.query<{ id: string }>("SELECT id FROM auth.tenants WHERE slug = 'default'")).rows[0].id;
  return { db, tenantId };
}
