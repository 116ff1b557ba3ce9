import type { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { UserError } from './user-error.js';

/**
 * Account ids or emails, as an admin wrote them, to the tenant's accounts: per reference, every
 * account it names (an email may have several workspaces), oldest first. An unknown one is refused
 * naming its position (`<param>.<index>`), so nothing half-matching is stored.
 */
export async function resolveAccountRefs(accounts: UpstreamAccountsRepository, tenantId: string, refs: string[], param: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const [i, ref] of refs.entries()) {
    const ids = await accounts.idsByRef(tenantId, ref);
    if (!ids.length) throw new UserError('unknown_account', `No upstream account '${ref.slice(0, 80)}' in this tenant.`, `${param}.${i}`);
    out.push(ids);
  }
  return out;
}
