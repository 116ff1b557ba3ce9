import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  INSUFFICIENT_QUOTA_MESSAGE,
  USAGE_LIMIT_RELEASE,
  USAGE_LIMIT_TAKE,
  insufficientQuota,
  invalidValue,
  limitEntryModel,
  limitFailure,
  limitModelOf,
  limitTakeReplySchema,
  ModelTable,
  modelAllowed,
  modelNotAllowed,
  modelNotPriced,
  type BudgetTake,
  type ChatMessage,
  type ImageOrder,
  type LimitReleaseRequest,
  type LimitTakeRequest,
  type ModelLimit,
  type Principal,
  type UpstreamKind,
} from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION, requestJson, type Logger } from '@chatgate/service-kit';
import { budgetChecksOf } from './budget-subjects.js';
import { countPromptTokens } from './prompt-tokens.js';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config.js';
import { GATEWAY_LOGGER } from '../config/gateway.logger.js';

/** The limit check is on the hot path: a usage service that does not answer this fast is taken for absent. */
const TAKE_TIMEOUT_MS = 1000;

/**
 * The model a request is admitted for: the name the client sent, and what it reaches upstream when
 * the mapping table decided it (a chat on a ChatGPT account). Limits, allow-lists and budgets count
 * what the request reaches, so a variant of a name (`xo1`, `o1-2024-12-17`, `GPT-4o`) cannot slip
 * past a limit on the model it gets.
 */
export interface ModelUse {
  /** As the client named it. */
  model: string;
  /** The upstream slug the mapping table sends it to; absent: the name is what is served. */
  resolvedModel?: string;
  /**
   * Whether the request reaches a ChatGPT account, so that a limit entry written as a client name
   * (`gpt-3.5-turbo`) counts the slug it maps to (`text-davinci-002-render-sha`).
   */
  viaTable?: boolean;
}

/**
 * Which of a user's limits apply: every entry whose model, read the way the request's is (the
 * mapping table for ChatGPT requests, dated snapshots folded into their model, case ignored), is
 * the model the request reaches. Every matching limit must have room.
 */
export function limitsFor(limits: readonly ModelLimit[], use: ModelUse, table: ModelTable | null): ModelLimit[] {
  const counted = limitModelOf(use.model, use.resolvedModel);
  return limits.filter((l) => limitEntryModel(l.model, use.viaTable ? table : null) === counted);
}

/** What a budget's hold is computed from: the prompt and the most the reply may be (chat), the input's characters (speech), or the images asked for. */
export interface RequestSize {
  messages?: readonly ChatMessage[];
  maxTokens?: number;
  characters?: number;
  images?: ImageOrder;
}

export { INSUFFICIENT_QUOTA_MESSAGE };

/** Whitespace around or inside a model name is never part of a model's name: `"o1 "` is not `o1`. */
function checkModelName(model: string): void {
  if (/\s/.test(model)) throw ApiError.fromBus(invalidValue('model', `${JSON.stringify(model.slice(0, 100))} is not a model name (no spaces).`));
}

/**
 * Admits a request before its job goes to a worker, from the cached principal and at most one
 * request to the usage service: the model must pass the user's and the key's allow-lists (403
 * `model_not_allowed`, no hop); then, in one hop, a slot in every matching limit window, the key's
 * RPM and TPM (the prompt's tokens, settled to the real count by the usage event) and a hold of the
 * request's largest cost in the user's and the key's budgets. Refused by a limit: 429 with
 * `retry-after`; by a rate: 429 `requests_rate_limit_exceeded` / `tokens_rate_limit_exceeded` with
 * `retry-after`; by a budget: 429 `insufficient_quota`. A principal with none of these costs no hop.
 * When the usage service does not answer the request is served (the gateway keeps serving while
 * usage is down) and the lapse is logged.
 */
@Injectable()
export class LimitGate {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly table: ModelTable,
  ) {}

  /**
   * `upstream`: the kind routing chose for the request (`upstreamFor`), which decides the budget's prices.
   * `size` may be a function: it is then read only for a principal whose rate or budget needs it (the
   * platform path's size parses the body's messages, which a principal without either never needs).
   */
  async check(principal: Principal, use: ModelUse, requestId: string, upstream: UpstreamKind, sizeOf?: RequestSize | (() => RequestSize | undefined)): Promise<void> {
    checkModelName(use.model);
    const reached = use.resolvedModel ?? use.model;
    const refusedBy = modelAllowed(principal.modelAllowLists, reached);
    if (refusedBy) throw ApiError.fromBus(modelNotAllowed(use.model, reached, refusedBy.scope));
    const matching = limitsFor(principal.limits, use, this.table);
    const budgets = budgetChecksOf(principal);
    const rate = principal.rateLimit;
    if (!matching.length && !budgets.length && !rate) return;
    const size = typeof sizeOf === 'function' ? sizeOf() : sizeOf;
    const promptTokens = size?.messages && (budgets.length || rate?.tpm) ? await countPromptTokens(size.messages) : 0;
    const request: LimitTakeRequest = {
      requestId,
      tenantId: principal.tenantId,
      subject: principal.userId ?? principal.credentialId,
      model: limitModelOf(use.model, use.resolvedModel),
      windows: matching.map((l) => ({ everyMinutes: l.everyMinutes, count: l.count })),
    };
    if (rate) request.rate = { subject: principal.credentialId, rpm: rate.rpm, tpm: rate.tpm, tokens: promptTokens };
    if (budgets.length) request.budget = this.budgetTake(upstream, reached, budgets, promptTokens, size);
    let reply;
    try {
      reply = await requestJson(this.nc, USAGE_LIMIT_TAKE, request, limitTakeReplySchema, TAKE_TIMEOUT_MS);
    } catch (err) {
      this.logger.warn({ requestId, err: err instanceof Error ? err.message : String(err) }, 'limit check skipped: the usage service did not answer');
      return;
    }
    if (!reply.ok) {
      this.logger.warn({ requestId, error: reply.error }, 'limit check skipped: the usage service failed');
      return;
    }
    if (reply.allowed) return;
    if (reply.quota) throw ApiError.fromBus(insufficientQuota());
    if (reply.unpriced) throw ApiError.fromBus(modelNotPriced(reached));
    const retryAfterSec = Math.max(1, Math.ceil(reply.retryAfterMs / 1000));
    if (reply.rate) throw ApiError.fromBus(rateRefusal(reply.rate, promptTokens, retryAfterSec));
    const every = matching.map((l) => `${l.count} per ${l.everyMinutes} min`).join(', ');
    throw ApiError.fromBus(limitFailure('usage_limit_exceeded', `Usage limit reached for ${reached} (${every}). Try again in ${retryAfterSec} s.`, { retryAfterSec }));
  }

  /** Gives the slot, the rate entry and the holds back when the job never reached a worker (no usage event will come to do it). */
  release(principal: Principal, use: ModelUse, requestId: string): void {
    const budgetSubjects = budgetChecksOf(principal).map((b) => b.key);
    if (!principal.limits.length && !budgetSubjects.length && !principal.rateLimit) return;
    const release: LimitReleaseRequest = {
      requestId,
      tenantId: principal.tenantId,
      subject: principal.userId ?? principal.credentialId,
      model: limitModelOf(use.model, use.resolvedModel),
      budgetSubjects,
      ...(principal.rateLimit ? { rateSubject: principal.credentialId } : {}),
    };
    this.nc.publish(USAGE_LIMIT_RELEASE, encodeJson(release));
  }

  /**
   * The hold: the prompt as the worker will count it plus `max_tokens` of reply (else
   * BUDGET_HOLD_COMPLETION_TOKENS), priced by the usage service as the model the request reaches.
   * With `max_tokens` the hold is the most the request can cost; the usage event settles it to what
   * it did cost.
   */
  private budgetTake(upstream: UpstreamKind, model: string, subjects: BudgetTake['subjects'], promptTokens: number, size: RequestSize | undefined): BudgetTake {
    return {
      upstream,
      model,
      promptTokens,
      // Speech has no completion tokens: its characters are the whole cost.
      maxCompletionTokens: size?.characters !== undefined ? 0 : (size?.maxTokens ?? this.config.BUDGET_HOLD_COMPLETION_TOKENS),
      characters: size?.characters ?? 0,
      ...(size?.images ? { images: size.images } : {}),
      subjects,
    };
  }
}

/** A key's RPM or TPM refused the request, in OpenAI's words. */
function rateRefusal(rate: { by: 'requests' | 'tokens'; limit: number; tooLarge?: true }, tokens: number, retryAfterSec: number) {
  if (rate.by === 'requests') {
    return limitFailure('requests_rate_limit_exceeded', `Rate limit reached for this API key on requests per min (RPM): Limit ${rate.limit}. Please try again in ${retryAfterSec}s.`, { retryAfterSec });
  }
  if (rate.tooLarge) {
    return limitFailure('tokens_rate_limit_exceeded', `Request too large for this API key on tokens per min (TPM): Limit ${rate.limit}, Requested ${tokens}. Send a shorter prompt.`, { param: 'messages' });
  }
  return limitFailure('tokens_rate_limit_exceeded', `Rate limit reached for this API key on tokens per min (TPM): Limit ${rate.limit}, Requested ${tokens}. Please try again in ${retryAfterSec}s.`, { retryAfterSec });
}
