import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AdminActor, AuditAction } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { AuditLogRepository } from './audit-log.repository.js';

/** What an admin change says about itself: its tenant, its action, what it is about, and its (secret-free) details. */
export interface AuditNote {
  tenantId: string | null;
  actor: AdminActor;
  action: AuditAction;
  target: string | null;
  details: Record<string, unknown>;
  /** The target read off the change's result when the request does not name it (a created user's id). */
  targetOf?: (result: unknown) => string | null;
  /** The tenant read off the result when the request does not name it (a created tenant). */
  tenantOf?: (result: unknown) => string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Pending {
  note: AuditNote;
  written: boolean;
  /** Set once the change returned (still inside its transaction when it runs in one). */
  result?: { value: unknown };
  /** The row, once written, and whether it named its target then. */
  rowId?: string;
  targetWritten?: boolean;
}

/**
 * Writes one audit row per admin change, in the change's own transaction: the admin runner opens
 * a scope for the request, and the unit of work calls back at the end of the first transaction the
 * request commits, so the row commits (or rolls back) with the change. A change that wrote nothing
 * in Postgres (a refresh that only queued work) gets its row once it succeeded. A request that fails
 * before any commit leaves no row: nothing changed. A change that talks to the upstream commits
 * before it knows its result (the account a token entered): its row names the target right after.
 */
@Injectable()
export class AuditTrail {
  private readonly pending = new AsyncLocalStorage<Pending>();

  constructor(
    private readonly rows: AuditLogRepository,
    private readonly uow: UnitOfWork,
  ) {
    uow.onBeforeCommit((manager) => this.flush(manager));
  }

  /**
   * Runs one admin change. `inTransaction`: the whole change runs in one transaction with its row; a
   * change that talks to the upstream (entering tokens) opens its own short transactions instead,
   * and its row is written in the first of them.
   */
  async record<T>(note: AuditNote, change: () => Promise<T>, inTransaction: boolean): Promise<T> {
    const pending: Pending = { note, written: false };
    return this.pending.run(pending, async () => {
      const done = async () => {
        const value = await change();
        pending.result = { value };
        return value;
      };
      const result = await (inTransaction ? this.uow.run(done) : done());
      // Nothing committed in Postgres: the change's row goes in a transaction of its own.
      if (!pending.written) await this.uow.run(async () => undefined);
      // A change that talks to the upstream wrote its row before it knew what it made (the account a token entered).
      else if (pending.rowId && !pending.targetWritten && note.targetOf) {
        const target = note.targetOf(result);
        if (target) await this.rows.setTarget(pending.rowId, target);
      }
      return result;
    });
  }

  private async flush(manager: EntityManager): Promise<void> {
    const pending = this.pending.getStore();
    if (!pending || pending.written) return;
    pending.written = true;
    const { note, result } = pending;
    const tenantId = note.tenantId ?? (result && note.tenantOf ? note.tenantOf(result.value) : null);
    const target = note.target ?? (result && note.targetOf ? note.targetOf(result.value) : null);
    pending.targetWritten = target !== null;
    pending.rowId = await this.rows.insert(manager, {
      // A tenant named by something else than its id (a slug) is the target; the column holds ids only.
      tenantId: tenantId && UUID.test(tenantId) ? tenantId : null,
      actorKind: note.actor.kind,
      actorKeyId: note.actor.kind === 'tenant_admin' ? note.actor.keyId : null,
      actorAddress: note.actor.address ?? null,
      action: note.action,
      target,
      details: note.details,
    });
  }
}
