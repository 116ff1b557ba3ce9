import { Inject, Injectable } from '@nestjs/common';
import type { ListModelsReply, ListModelsRequest } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { accountKeyOf } from '../shared/upstream/account-key.js';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { ChatGptClient, type UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';
import { CodexModels } from './codex-models.js';
import { ListingCache } from './listing-cache.js';
import { listingFor, slugsOf } from './model-listing.js';
import { ModelTable } from '@chatgate/contracts';

const MODELS_PATH = '/backend-api/models?history_and_training_disabled=false';
const FETCH_TIMEOUT_MS = 5000;

type Models = ListModelsReply['models'];

/**
 * What a caller's accounts offer, from the upstream's models endpoint, cached in this worker for
 * UPSTREAM_MODELS_TTL_MS: per plan for a tenant's pool (every account of a plan offers the same; one
 * usable account per plan is asked), per account for a caller's own token. A listing that cannot be had
 * is not cached; when none can be had the mapping table alone is listed, as before chatgate knew better.
 */
@Injectable()
export class UpstreamModelsService {
  private readonly cache: ListingCache<string[]>;

  constructor(
    private readonly client: ChatGptClient,
    private readonly leases: AccountLeaseClient,
    private readonly table: ModelTable,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    private readonly codex: CodexModels,
  ) {
    this.cache = new ListingCache(config.UPSTREAM_MODELS_TTL_MS);
  }

  /** The ChatGPT accounts' listing, with the Codex accounts' models the tenant routes to them in place of any namesake. */
  async list(request: ListModelsRequest): Promise<Models> {
    const [chatgpt, codex] = await Promise.all([this.chatgptModels(request), this.codex.list(request)]);
    if (!codex.length) return chatgpt;
    const routed = new Set(codex.map((m) => m.id));
    return [...chatgpt.filter((m) => !routed.has(m.id)), ...codex];
  }

  private async chatgptModels(request: ListModelsRequest): Promise<Models> {
    const sources = await this.sourcesFor(request);
    const settled = await Promise.allSettled(sources.map(({ key, identity }) => this.slugs(key, identity)));
    const offered = [...new Set(settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])))];
    if (!offered.length) return this.table.listed().map((m) => ({ ...m, ownedBy: 'chatgpt' }));
    return listingFor(offered, this.table);
  }

  /** Whose models to ask for: the caller's own account, or one account per plan of the pool. */
  private async sourcesFor(request: ListModelsRequest): Promise<Array<{ key: string; identity: UpstreamIdentity }>> {
    const upstream = request.upstream;
    if (!upstream) return [];
    if (upstream.kind === 'chatgpt_access_token') {
      const identity = { accessToken: upstream.accessToken, chatgptAccountId: upstream.accountId ?? null, deviceId: null };
      return [{ key: accountKeyOf(identity), identity }];
    }
    const reply = await this.leases.plans({ tenantId: upstream.tenantId, ...(upstream.accountIds ? { allowed: upstream.accountIds } : {}) });
    if (!reply.ok) return [];
    return reply.plans.map(({ plan, lease }) => {
      const identity = { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId };
      // A workspace may carry its own models (a Team's GPTs), so it is cached apart from the plan.
      return { key: lease.chatgptAccountId ? `plan:${plan}:${lease.chatgptAccountId}` : plan ? `plan:${plan}` : accountKeyOf(identity), identity };
    });
  }

  private slugs(key: string, identity: UpstreamIdentity): Promise<string[]> {
    return this.cache.get(key, () => this.fetch(identity));
  }

  private async fetch(identity: UpstreamIdentity): Promise<string[]> {
    const res = await this.client.getJson(identity, MODELS_PATH, AbortSignal.timeout(FETCH_TIMEOUT_MS));
    if (!res.ok) {
      this.logger.warn({ status: res.failure.status, code: res.failure.error.code }, 'upstream models listing failed; not cached');
      throw new Error(res.failure.error.message);
    }
    const slugs = slugsOf(res.body);
    if (!slugs.length) throw new Error('the upstream models listing named no model');
    return slugs;
  }
}
