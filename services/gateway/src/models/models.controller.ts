import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { FastifyRequest } from 'fastify';
import { firstValueFrom, timeout } from 'rxjs';
import { CONVERSATION_LIST_MODELS, listModelsReplySchema, requestFailure, serviceUnavailable, type ListModelsReply } from '@chatgate/contracts';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { bearerFrom } from '../shared/http/bearer.js';
import { ApiError } from '../shared/errors/api-error.js';
import { PlatformModels } from '../shared/platform/platform-models.js';
import { CONVERSATION_CLIENT } from '../shared/bus/conversation-client.token.js';

const MODELS_TTL_MS = 60_000;
/** Credentials whose listing is kept at once; the oldest goes first. */
const MAX_CACHED = 1000;
/** A cold listing asks the upstream (the conversation service allows it 5 s). */
const LIST_TIMEOUT_MS = 8000;
/** A fixed creation time: the list is configuration, not objects with a history. */
const CREATED = 1_700_000_000;

/** Dotted versions compared part by part (`0.98.0` < `0.124.0`); what is not a number counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Whether a Codex catalog entry is for this client (its `minimal_client_version`, when it has one). */
function fitsClient(entry: Record<string, unknown>, clientVersion: string): boolean {
  const minimal = entry.minimal_client_version;
  if (typeof minimal !== 'string') return true;
  return compareVersions(clientVersion, minimal) >= 0;
}

@Controller('v1/models')
export class ModelsController {
  /** Per credential: the listing depends on the caller's accounts and their plans. */
  private readonly cached = new Map<string, { at: number; reply: ListModelsReply }>();

  constructor(
    private readonly credentials: CredentialResolver,
    @Inject(CONVERSATION_CLIENT) private readonly conversation: ClientProxy,
    private readonly platformModels: PlatformModels,
  ) {}

  /**
   * OpenAI's list. Asked with `client_version` (as Codex CLI asks its provider's `/models`), the answer
   * also carries Codex's own shape, `models`: the Codex backend's catalog entries of the tenant's Codex
   * models as the backend gave them (base instructions, reasoning levels, tool types), without those
   * that need a newer client. OpenAI clients read `data` and ignore it; Codex reads `models`.
   */
  @Get()
  async list(@Req() req: FastifyRequest, @Query('client_version') clientVersion?: string) {
    const models = await this.modelsFor(req);
    const data = models.map((m) => ({ id: m.id, object: 'model', created: CREATED, owned_by: m.ownedBy }));
    if (typeof clientVersion !== 'string' || !clientVersion) return { object: 'list', data };
    const codex = models.flatMap((m) => (m.codex && fitsClient(m.codex, clientVersion) ? [{ ...m.codex, slug: m.id }] : []));
    return { object: 'list', data, models: codex };
  }

  @Get(':id')
  async one(@Req() req: FastifyRequest, @Param('id') id: string) {
    const model = (await this.modelsFor(req)).find((m) => m.id === id);
    if (!model) {
      throw ApiError.fromBus(requestFailure('model_not_found', `The model '${id}' does not exist or you do not have access to it.`));
    }
    return { id: model.id, object: 'model', created: CREATED, owned_by: model.ownedBy };
  }

  private async modelsFor(req: FastifyRequest) {
    const principal = await this.credentials.resolve(bearerFrom(req.headers.authorization), undefined, req.ip);
    const now = Date.now();
    const hit = this.cached.get(principal.credentialId);
    if (hit && now - hit.at < MODELS_TTL_MS) return hit.reply.models;
    // The tenant's API keys' models are asked alongside (never failing the listing), so they add no wait of their own.
    const platform = this.platformModels.list(principal);
    let raw: unknown;
    try {
      raw = await firstValueFrom(
        this.conversation.send(CONVERSATION_LIST_MODELS, { tenantId: principal.tenantId, upstream: principal.upstream, routes: principal.modelRoutes }).pipe(timeout(LIST_TIMEOUT_MS)),
      );
    } catch {
      throw ApiError.fromBus(serviceUnavailable('conversation service'));
    }
    const reply = listModelsReplySchema.parse(raw);
    const listed = new Set(reply.models.map((m) => m.id));
    for (const m of await platform) if (!listed.has(m.id)) reply.models.push({ id: m.id, upstreamSlug: m.id, ownedBy: m.ownedBy });
    this.cached.delete(principal.credentialId);
    this.cached.set(principal.credentialId, { at: now, reply });
    if (this.cached.size > MAX_CACHED) this.cached.delete(this.cached.keys().next().value!);
    return reply.models;
  }
}
