import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  INSUFFICIENT_QUOTA_MESSAGE,
  USAGE_LIMIT_RELEASE,
  USAGE_LIMIT_TAKE,
  insufficientQuota,
  modelNotPriced,
  limitFailure,
  limitTakeReplySchema,
  type BudgetTake,
  type ChatMessage,
  type ImageOrder,
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
 * Which of a user's limits apply to a model. As in ChatGPT-Mirror, `model_name` names the model
 * exactly as the client sends it (case-sensitive); every matching limit must have room.
 */
export function limitsFor(limits: readonly ModelLimit[], model: string): ModelLimit[] {
  return limits.filter((l) => l.model === model);
}

/** What a budget's hold is computed from: the prompt and the most the reply may be (chat), the input's characters (speech), or the images asked for. */
export interface RequestSize {
  messages?: readonly ChatMessage[];
  maxTokens?: number;
  characters?: number;
  images?: ImageOrder;
}

export { INSUFFICIENT_QUOTA_MESSAGE };

/**
 * Takes a slot in the user's window for the model, and holds the request's largest cost in the
 * user's and the key's budgets, in one request to the usage service, before the job goes to a
 * worker. Refused by a limit: 429 with `retry-after`; by a budget: 429 `insufficient_quota`.
 * A principal with neither limits for the model nor budgets costs no hop.
 * When the usage service does not answer the request is served (the gateway keeps serving while
 * usage is down) and the lapse is logged.
 */
@Injectable()
export class LimitGate {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** `upstream`: the kind routing chose for the request (`upstreamFor`), which decides the budget's prices. */
  async check(principal: Principal, model: string, requestId: string, upstream: UpstreamKind, size?: RequestSize): Promise<void> {
    const matching = limitsFor(principal.limits, model);
    const budgets = budgetChecksOf(principal);
    if (!matching.length && !budgets.length) return;
    const request: LimitTakeRequest = {
      requestId,
      tenantId: principal.tenantId,
      subject: principal.userId ?? principal.credentialId,
      model,
      windows: matching.map((l) => ({ everyMinutes: l.everyMinutes, count: l.count })),
    };
    if (budgets.length) request.budget = await this.budgetTake(upstream, budgets, size);
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
    if (reply.unpriced) throw ApiError.fromBus(modelNotPriced(model));
    const retryAfterSec = Math.max(1, Math.ceil(reply.retryAfterMs / 1000));
    const every = matching.map((l) => `${l.count} per ${l.everyMinutes} min`).join(', ');
    throw ApiError.fromBus(limitFailure('usage_limit_exceeded', `Usage limit reached for ${model} (${every}). Try again in ${retryAfterSec} s.`, { retryAfterSec }));
  }

  /** Gives the slot and the holds back when the job never reached a worker (no usage event will come to do it). */
  release(principal: Principal, model: string, requestId: string): void {
    const budgetSubjects = budgetChecksOf(principal).map((b) => b.key);
    if (!limitsFor(principal.limits, model).length && !budgetSubjects.length) return;
    this.nc.publish(USAGE_LIMIT_RELEASE, encodeJson({ requestId, tenantId: principal.tenantId, subject: principal.userId ?? principal.credentialId, model, budgetSubjects }));
  }

  /**
   * The hold: the prompt as the worker will count it plus `max_tokens` of reply (else
   * BUDGET_HOLD_COMPLETION_TOKENS), priced by the usage service. With `max_tokens` the hold is
   * the most the request can cost; the usage event settles it to what it did cost.
   */
  private async budgetTake(upstream: UpstreamKind, subjects: BudgetTake['subjects'], size: RequestSize | undefined): Promise<BudgetTake> {
    return {
      upstream,
      promptTokens: size?.messages ? await countPromptTokens(size.messages) : 0,
      // Speech has no completion tokens: its characters are the whole cost.
      maxCompletionTokens: size?.characters !== undefined ? 0 : (size?.maxTokens ?? this.config.BUDGET_HOLD_COMPLETION_TOKENS),
      characters: size?.characters ?? 0,
      ...(size?.images ? { images: size.images } : {}),
      subjects,
    };
  }
}
