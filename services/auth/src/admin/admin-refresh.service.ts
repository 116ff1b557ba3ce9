import { Injectable } from '@nestjs/common';
import type { AdminActor, RefreshPassJson, RefreshPasses, StartRefreshPassResult } from '@chatgate/contracts';
import type { RefreshPassView } from '../refresh/pass-view.js';
import { RefreshPassService } from '../refresh/refresh-pass.service.js';
import { AdminFailure } from './admin-failure.js';

function toJson(pass: RefreshPassView | null): RefreshPassJson | null {
  if (!pass) return null;
  return { ...pass, startedAt: pass.startedAt.toISOString(), finishedAt: pass.finishedAt?.toISOString() ?? null };
}

/**
 * Refresh passes for the admin API. A pass covers the accounts of every tenant, so only the
 * operator (`ADMIN_PASSWORD`) may see or start one; tenant-scoped admins, when they come, are refused here.
 */
@Injectable()
export class AdminRefreshService {
  constructor(private readonly passes: RefreshPassService) {}

  async progress(actor: AdminActor): Promise<RefreshPasses> {
    this.mustBeOperator(actor);
    // One read, so the two never disagree: at most one pass runs at a time (a unique index), and a
    // running pass is the newest one; two reads could see it running, then finished.
    const latest = await this.passes.latest();
    return { current: latest?.status === 'running' ? toJson(latest) : null, latest: toJson(latest) };
  }

  async start(actor: AdminActor, forced: boolean): Promise<StartRefreshPassResult> {
    this.mustBeOperator(actor);
    const result = await this.passes.start(forced, 'admin');
    return result.started ? { started: true, pass: toJson(result.pass) } : { started: false, reason: result.reason, pass: toJson(result.pass) };
  }

  private mustBeOperator(actor: AdminActor): void {
    if (actor.kind !== 'operator') throw AdminFailure.of(403, 'operator_only', 'Refresh passes cover every tenant; only the operator may use them.');
  }
}
