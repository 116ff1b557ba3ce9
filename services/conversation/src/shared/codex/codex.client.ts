import { Inject, Injectable } from '@nestjs/common';
import { codexUpstreamError } from '@chatgate/contracts';
import { BaseUrlRotation, ERROR_BODY_LIMIT, readCapped } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../../conversation.config.js';
import { baseUrlsOf, UpstreamExchange } from '../upstream/upstream-exchange.js';
import { codexHttpFailure, codexTransportFailure, type CodexAttemptFailure } from './codex-failure.js';
import { codexHeaders, codexUserAgent, type CodexClientName, type CodexIdentity } from './codex-headers.js';
import { codexLimitsOf, type CodexLimits } from './codex-limits.js';

type Body = AsyncIterable<Uint8Array> & { destroy(err?: Error): void };

/** An answer of the backend: its usage limits (from the headers, whatever the status) and the stream, or why there is none. */
export type CodexStreamAnswer = ({ ok: true; body: Body } | ({ ok: false } & CodexAttemptFailure)) & { limits: CodexLimits | null };

export type CodexModelsAnswer = ({ ok: true; models: CodexModelEntry[] } | ({ ok: false } & CodexAttemptFailure)) & { limits: CodexLimits | null };

/** One model of the backend's catalog (`GET /models`), as far as chatgate reads it. */
export interface CodexModelEntry {
  slug: string;
  displayName: string | null;
  /** The entry as the backend sent it (what Codex CLI reads: base instructions, reasoning levels, tool types…). */
  raw: Record<string, unknown>;
}

/** The models catalog is read this far (it carries each model's base instructions). */
const CATALOG_LIMIT = 4 * 1024 * 1024;

/** The models a catalog lists for clients (`visibility` list or unset), in the backend's order. */
export function codexModelsOf(json: unknown): CodexModelEntry[] {
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  const out: CodexModelEntry[] = [];
  for (const m of models as Array<Record<string, unknown> | null>) {
    if (!m || typeof m.slug !== 'string' || m.slug === '') continue;
    if (m.visibility !== undefined && m.visibility !== 'list') continue;
    out.push({ slug: m.slug, displayName: typeof m.display_name === 'string' ? m.display_name : null, raw: m });
  }
  return out;
}

/**
 * The HTTP side of the Codex backend (`CODEX_BASE_URL`, reference §1): `POST /responses` (SSE only) and
 * `GET /models?client_version=`, with the headers a Codex client sends, through the worker's one way
 * out (the account's outbound proxy like every upstream call). Every answer's `x-codex-*` headers are
 * read, 429s included; a non-stream answer is mapped to the codex failure family here.
 */
@Injectable()
export class CodexClient {
  private readonly bases: BaseUrlRotation;
  private readonly name: CodexClientName;
  private readonly userAgent: string;

  constructor(
    @Inject(CONVERSATION_CONFIG) config: ConversationConfig,
    private readonly upstream: UpstreamExchange,
  ) {
    this.bases = new BaseUrlRotation(baseUrlsOf(config.CODEX_BASE_URL));
    this.name = { originator: config.CODEX_ORIGINATOR, version: config.CODEX_CLIENT_VERSION };
    this.userAgent = codexUserAgent(this.name);
  }

  /** Opens a Responses stream. `body` must already follow the backend's rules (`codexRequestRules`). */
  async responses(identity: CodexIdentity, body: Record<string, unknown>, sessionId: string, signal: AbortSignal): Promise<CodexStreamAnswer> {
    const headers = codexHeaders(identity, this.name, this.userAgent, { accept: 'text/event-stream', sessionId, hasBody: true });
    let sent;
    try {
      sent = await this.upstream.exchange({ ...identity, deviceId: null }, this.bases, 'POST', '/responses', headers, JSON.stringify(body), signal);
    } catch (err) {
      return { ok: false, ...codexTransportFailure(err), limits: null };
    }
    if (!sent.ok) return { ok: false, failure: sent.failure, limits: null };
    const { res } = sent;
    const limits = codexLimitsOf(res.headers);
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && type.includes('text/event-stream')) return { ok: true, body: res.body, limits };
    const text = await readCapped(res.body, ERROR_BODY_LIMIT).catch(() => '');
    return { ok: false, ...codexHttpFailure(res.statusCode, res.headers, text, String(body.model ?? ''), limits), limits };
  }

  /**
   * Remote compaction (`POST /responses/compact`, unary JSON): the answer's status and body as they came
   * for a 2xx, else the failure mapped as `/responses` maps it.
   */
  async compact(identity: CodexIdentity, body: Record<string, unknown>, sessionId: string, signal: AbortSignal): Promise<({ ok: true; status: number; text: string } | ({ ok: false } & CodexAttemptFailure)) & { limits: CodexLimits | null }> {
    const headers = codexHeaders(identity, this.name, this.userAgent, { accept: 'application/json', sessionId, hasBody: true });
    let sent;
    try {
      sent = await this.upstream.exchange({ ...identity, deviceId: null }, this.bases, 'POST', '/responses/compact', headers, JSON.stringify(body), signal);
    } catch (err) {
      return { ok: false, ...codexTransportFailure(err), limits: null };
    }
    if (!sent.ok) return { ok: false, failure: sent.failure, limits: null };
    const { res } = sent;
    const limits = codexLimitsOf(res.headers);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const text = await readCapped(res.body, ok ? CATALOG_LIMIT : ERROR_BODY_LIMIT).catch(() => '');
    if (ok) return { ok: true, status: res.statusCode, text, limits };
    return { ok: false, ...codexHttpFailure(res.statusCode, res.headers, text, String(body.model ?? ''), limits), limits };
  }

  /** The account's model catalog, as a Codex client of `CODEX_CLIENT_VERSION` sees it. */
  async models(identity: CodexIdentity, signal: AbortSignal): Promise<CodexModelsAnswer> {
    const headers = codexHeaders(identity, this.name, this.userAgent, { accept: 'application/json', hasBody: false });
    const target = `/models?client_version=${encodeURIComponent(this.name.version)}`;
    let sent;
    try {
      sent = await this.upstream.exchange({ ...identity, deviceId: null }, this.bases, 'GET', target, headers, undefined, signal);
    } catch (err) {
      return { ok: false, ...codexTransportFailure(err), limits: null };
    }
    if (!sent.ok) return { ok: false, failure: sent.failure, limits: null };
    const { res } = sent;
    const limits = codexLimitsOf(res.headers);
    const text = await readCapped(res.body, res.statusCode === 200 ? CATALOG_LIMIT : ERROR_BODY_LIMIT).catch(() => '');
    if (res.statusCode !== 200) return { ok: false, ...codexHttpFailure(res.statusCode, res.headers, text, '', limits), limits };
    try {
      return { ok: true, models: codexModelsOf(JSON.parse(text)), limits };
    } catch {
      return { ok: false, failure: codexUpstreamError('The Codex backend answered its model catalog with something that is not JSON.'), limits };
    }
  }
}
