import { RefreshAccountJob } from './refresh-account.job.js';
import { RefreshClock } from './refresh-clock.js';
import { RefreshPassEntity } from './refresh-pass.entity.js';
import { RefreshPassRepository } from './refresh-pass.repository.js';
import { RefreshPassService } from './refresh-pass.service.js';
import { RefreshScheduleService } from './refresh-schedule.service.js';
import { RefreshQueue } from './refresh.queue.js';
import { RefreshWorker } from './refresh.worker.js';

/** What AuthModule adds for the refresh queue and passes (kept here so the module file changes by a few lines). */
export const REFRESH_ENTITIES = [RefreshPassEntity];
export const REFRESH_PROVIDERS = [RefreshClock, RefreshQueue, RefreshPassRepository, RefreshPassService, RefreshAccountJob, RefreshScheduleService, RefreshWorker];
