import { Inject, Injectable } from '@nestjs/common';
import { ACCOUNT_KIND_OF, routeModel, type ListModelsReply, type ListModelsRequest } from '@chatgate/contracts';
import { AccountLeaseClient, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { CodexClient, type CodexModelEntry } from '../shared/codex/codex.client.js';
import type { CodexIdentity } from '../shared/codex/codex-headers.js';
import { CodexLimitsReporter } from '../shared/codex/codex-limits.reporter.js';
import { ListingCache } from './listing-cache.js';

const FETCH_TIMEOUT_MS = 5000;

/** Whose the models served by the tenant's Codex accounts are, as /v1/models says (`owned_by`). */
export const CODEX_OWNER = 'codex';

type Models = ListModelsReply['models'];

/**
 * The models of a tenant's Codex accounts, for /v1/models: the Codex backend's catalog (`GET
 * {CODEX_BASE_URL}/models?client_version=`), asked with one account per plan (auth's `account.plans`
 * for kind codex, within the credential's allowed accounts) and kept per plan for UPSTREAM_MODELS_TTL_MS,
 * like the ChatGPT listing. Only the models the tenant's routing table sends to Codex are listed. A
 * caller's own ChatGPT token, a pool without Codex accounts or a failing catalog lists none.
 */
@Injectable()
export class CodexModels {
  private readonly cache: ListingCache<CodexModelEntry[]>;

  constructor(
    private readonly client: CodexClient,
    private readonly leases: AccountLeaseClient,
    private readonly limits: CodexLimitsReporter,
    @Inject(CONVERSATION_CONFIG) config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {
    this.cache = new ListingCache(config.UPSTREAM_MODELS_TTL_MS);
  }

  async list(request: ListModelsRequest): Promise<Models> {
    const upstream = request.upstream;
    // A table that sends nothing to Codex (the default one) lists nothing from it: no catalog is asked.
    if (upstream?.kind !== 'pool' || !request.routes?.some((route) => route.upstream === 'codex')) return [];
    const reply = await this.leases.plans({ tenantId: upstream.tenantId, kind: ACCOUNT_KIND_OF.codex, ...(upstream.accountIds ? { allowed: upstream.accountIds } : {}) });
    if (!reply.ok || !reply.plans.length) return [];
    const settled = await Promise.allSettled(
      reply.plans.map(({ plan, lease }) =>
        this.cache.get(`codex:${plan ?? `account:${lease.accountId}`}`, () => this.fetch(lease.accountId, { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId })),
      ),
    );
    const models: Models = [];
    const seen = new Set<string>();
    for (const entry of settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))) {
      if (seen.has(entry.slug) || routeModel(request.routes, entry.slug) !== 'codex') continue;
      seen.add(entry.slug);
      models.push({ id: entry.slug, upstreamSlug: entry.slug, ownedBy: CODEX_OWNER, codex: entry.raw });
    }
    return models;
  }

  private async fetch(accountId: string, identity: CodexIdentity): Promise<CodexModelEntry[]> {
    const answer = await this.client.models(identity, AbortSignal.timeout(FETCH_TIMEOUT_MS));
    this.limits.observed(accountId, answer.limits);
    if (!answer.ok) {
      this.logger.warn({ status: answer.failure.status, code: answer.failure.error.code }, 'Codex models catalog failed; not cached');
      throw new Error(answer.failure.error.message);
    }
    return answer.models;
  }
}
