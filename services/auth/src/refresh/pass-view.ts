import type { RefreshPassEntity, RefreshPassStatus, RefreshTrigger } from './refresh-pass.entity.js';

/** A pass as the admin side shows it: progress while running, the result once finished. */
export interface RefreshPassView {
  id: string;
  forced: boolean;
  trigger: RefreshTrigger;
  status: RefreshPassStatus;
  total: number;
  done: number;
  failed: number;
  /** Accounts still queued, running or waiting for a retry. */
  remaining: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** Set for scheduled forced passes: the REFRESH_TZ day it ran for. */
  scheduleDay: string | null;
}

export function toPassView(pass: RefreshPassEntity): RefreshPassView {
  return {
    id: pass.id,
    forced: pass.forced,
    trigger: pass.trigger,
    status: pass.status,
    total: pass.total,
    done: pass.done,
    failed: pass.failed,
    remaining: pass.status === 'finished' ? 0 : Math.max(0, pass.total - pass.done - pass.failed),
    startedAt: pass.startedAt,
    finishedAt: pass.finishedAt,
    scheduleDay: pass.scheduleDay,
  };
}
