import type { EntityManager } from 'typeorm';
import { AdminFailure } from '../admin/admin-failure.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Account ids or emails, as an admin wrote them, to the tenant's accounts: per reference, every
 * account it names (an email may have several workspaces), oldest first. An unknown one is a 400
 * naming its position, so nothing half-matching is stored.
 */
export async function resolveAccountRefs(manager: EntityManager, tenantId: string, refs: string[], param: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const [i, ref] of refs.entries()) {
    const rows: Array<{ id: string }> = UUID.test(ref)
      ? await manager.query(`SELECT id FROM "auth"."upstream_accounts" WHERE tenant_id = $1 AND id = $2`, [tenantId, ref])
      : await manager.query(`SELECT id FROM "auth"."upstream_accounts" WHERE tenant_id = $1 AND lower(email) = lower($2) ORDER BY created_at`, [tenantId, ref]);
    if (!rows.length) throw AdminFailure.of(400, 'unknown_account', `No upstream account '${ref.slice(0, 80)}' in this tenant.`, `${param}.${i}`);
    out.push(rows.map((r) => r.id));
  }
  return out;
}
