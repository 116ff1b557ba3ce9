import { Injectable } from '@nestjs/common';
import { In, type SelectQueryBuilder } from 'typeorm';
import type { AccountKind, UpstreamAccountStatus } from '@chatgate/contracts';
import { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Active or cooling: what the pool may lease (cool-downs are per model). */
const POOLED: UpstreamAccountStatus[] = ['active', 'cooling'];
/** Any model's cool-down, or a Codex login's usage-limit hold, still running; the same reading as viewStatus. */
const COOLING_NOW = `(EXISTS (SELECT 1 FROM jsonb_each_text(a.cooldowns) AS c(model, until_ms) WHERE c.until_ms::numeric > :nowMs) OR COALESCE(a.limited_until > to_timestamp(:nowMs / 1000.0), false))`;
/** A summary lists at most this many Codex logins. */
const MAX_CODEX_LISTED = 1000;

/**
 * The admin's reads and writes of upstream accounts, always scoped to one tenant. Tokens stay
 * sealed here; opening them is UpstreamAccountsRepository's job.
 */
@Injectable()
export class AdminAccountsStore {
  constructor(private readonly uow: UnitOfWork) {}

  private get accounts() {
    return this.uow.manager.getRepository(UpstreamAccountEntity);
  }

  /** Newest first; `status` filters on the status an admin sees (cooling derived from the times), `kind` on the stored kind. */
  async page(tenantId: string, filter: { status?: UpstreamAccountStatus; kind?: AccountKind }, page: number, limit: number, now: number): Promise<{ rows: UpstreamAccountEntity[]; total: number }> {
    const query = this.accounts.createQueryBuilder('a').where('a.tenantId = :tenantId', { tenantId });
    if (filter.status) this.whereStatus(query, filter.status, now);
    if (filter.kind) query.andWhere('a.kind = :kind', { kind: filter.kind });
    const [rows, total] = await query
      .orderBy('a.createdAt', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { rows, total };
  }

  private whereStatus(query: SelectQueryBuilder<UpstreamAccountEntity>, status: UpstreamAccountStatus, now: number): void {
    switch (status) {
      case 'active':
        query.andWhere(`a.status IN (:...pooled) AND NOT ${COOLING_NOW}`, { pooled: POOLED, nowMs: now });
        return;
      case 'cooling':
        query.andWhere(`a.status IN (:...pooled) AND ${COOLING_NOW}`, { pooled: POOLED, nowMs: now });
        return;
      default:
        query.andWhere('a.status = :status', { status });
    }
  }

  /** Null for an id of another tenant, or one that is not an id at all. */
  async byId(tenantId: string, id: string): Promise<UpstreamAccountEntity | null> {
    if (!UUID.test(id)) return null;
    return this.accounts.findOneBy({ id, tenantId });
  }

  async setStatus(tenantId: string, id: string, status: UpstreamAccountStatus): Promise<void> {
    await this.accounts.update({ id, tenantId }, { status });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const result = await this.accounts.delete({ id, tenantId });
    return (result.affected ?? 0) > 0;
  }

  /** Removes every account of the tenant; returns their ids for the change announcement. */
  async clear(tenantId: string): Promise<string[]> {
    const result = await this.accounts.createQueryBuilder().delete().from(UpstreamAccountEntity).where('tenant_id = :tenantId', { tenantId }).returning('id').execute();
    return ((result.raw ?? []) as Array<{ id: string }>).map((r) => r.id);
  }

  usableCount(tenantId: string): Promise<number> {
    return this.accounts.count({ where: { tenantId, status: In(POOLED) } });
  }

  /** The tenant's Codex logins (every status), oldest first, for the pool summary's usage windows. */
  codexAccounts(tenantId: string): Promise<UpstreamAccountEntity[]> {
    return this.accounts.find({ where: { tenantId, kind: 'codex' }, order: { createdAt: 'ASC' }, take: MAX_CODEX_LISTED });
  }

  needingToken(tenantId: string, max: number): Promise<UpstreamAccountEntity[]> {
    return this.accounts.find({ where: { tenantId, status: 'needs_token' }, order: { createdAt: 'DESC' }, take: max });
  }
}
