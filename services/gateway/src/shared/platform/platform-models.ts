import { Injectable } from '@nestjs/common';
import { RELAY_JOBS, reachableKinds, routeRequest, type Principal } from '@chatgate/contracts';
import { GatewayJobs } from '../jobs/gateway-jobs.js';
import { platformJob } from './platform-relay.js';

/** Which kind serves a listed model for this caller (null: none it can reach), as routing decides for a request. */
function servedBy(principal: Principal, model: string) {
  const decision = routeRequest({ credential: principal.upstream.kind, routes: principal.modelRoutes, model, endpoint: 'models' });
  return decision.ok ? decision.upstream : null;
}

/** A listing that takes longer than this adds nothing (the ChatGPT half of /v1/models is not held up for it). */
const LIST_TIMEOUT_MS = 5000;
/** A models listing is small; anything bigger is not one. */
const LIST_LIMIT = 1024 * 1024;

/** Whose the models served by the tenant's API keys are, as /v1/models says (`owned_by`). */
export const PLATFORM_OWNER = 'platform';

export interface PlatformModel {
  id: string;
  ownedBy: string;
}

/** The ids of an upstream `/v1/models` answer (`{"data": [{"id", "owned_by"}]}`), nothing when it is not one. */
export function modelsOfListing(bytes: Uint8Array): PlatformModel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return [];
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  const out: PlatformModel[] = [];
  for (const entry of data as Array<{ id?: unknown; owned_by?: unknown }>) {
    if (typeof entry?.id !== 'string' || !entry.id) continue;
    out.push({ id: entry.id, ownedBy: typeof entry.owned_by === 'string' ? entry.owned_by : 'openai' });
  }
  return out;
}

/**
 * The models the tenant's API keys serve, for /v1/models: the upstream's own `/v1/models`, asked
 * with one key the pool leases (through the relay, like any platform request), keeping only the
 * models the tenant's routing table sends to the platform (a listed model must work as listed).
 * A tenant without keys, a failing key or a slow answer lists nothing extra. The models
 * controller keeps the result with the rest of the listing, so this costs one relay per
 * credential per minute and nothing on the chat path.
 */
@Injectable()
export class PlatformModels {
  constructor(private readonly jobs: GatewayJobs) {}

  list(principal: Principal): Promise<PlatformModel[]> {
    // A caller's own ChatGPT token has no API keys; a table that routes nothing to the platform lists nothing from it.
    if (!reachableKinds(principal.upstream.kind).includes('platform')) return Promise.resolve([]);
    const job = platformJob(principal, 'GET', '/models');
    const payload = this.jobs.encode(RELAY_JOBS, job);
    return new Promise((resolve) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let status = 0;
      let done = false;
      const finish = (models: PlatformModel[]) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        // Listed as the tenant's API keys' (`owned_by: platform`, the routing table's word), not the upstream's owner.
        resolve(models.filter((m) => servedBy(principal, m.id) === 'platform').map((m) => ({ ...m, ownedBy: PLATFORM_OWNER })));
      };
      const handle = this.jobs.open(RELAY_JOBS, job, payload, (frame) => {
        if (frame.t === 'head') status = frame.status;
        else if (frame.t === 'data') {
          size += frame.bytes.length;
          if (size > LIST_LIMIT) {
            handle.cancel();
            return finish([]);
          }
          chunks.push(frame.bytes);
        } else if (frame.t === 'end') finish(status === 200 ? modelsOfListing(Buffer.concat(chunks)) : []);
        else if (frame.t === 'error') finish([]);
      });
      const timer = setTimeout(() => {
        handle.cancel();
        finish([]);
      }, LIST_TIMEOUT_MS);
    });
  }
}
