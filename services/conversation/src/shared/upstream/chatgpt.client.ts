import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { BusError } from '@chatgate/contracts';
import { BaseUrlRotation, chatgptHttpFailure, ERROR_BODY_LIMIT, readCapped, type UpstreamIdentity } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, type ConversationConfig } from '../../conversation.config.js';
import { baseUrlsOf, UpstreamExchange, type ExchangeResult } from './upstream-exchange.js';

export type ConversationResponse =
  | { ok: true; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The content type a success must have (`text/event-stream`, `application/json`); also the `accept` sent. */
  expectType: string;
}

export type UpstreamResponse =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

/** A JSON call's answer: the parsed object, or the failure with the upstream's status (0: no answer) and body. */
export type JsonAnswer = { ok: true; status: number; json: Record<string, unknown> } | { ok: false; status: number; text: string; failure: BusError };

/** JSON answers (the models listing, a conversation's mapping) are read this far. */
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

/** A failure answer in the client's terms, per reference §7; a 2xx of the wrong kind is a challenge or error page in disguise. */
function failureFrom(statusCode: number, headers: Record<string, string | string[] | undefined>, text: string): BusError {
  const retryAfter = headers['retry-after'];
  const status = statusCode >= 200 && statusCode < 300 ? 502 : statusCode;
  return chatgptHttpFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
}

/** A failure answer, read capped, in the client's terms. */
async function failureOf(res: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Uint8Array> & { destroy(): void } }): Promise<BusError> {
  return failureFrom(res.statusCode, res.headers, await readCapped(res.body));
}

/** Who the upstream request is made as (service-kit's, shared with voice). */
export type { UpstreamIdentity };

/** A stable device id per token or workspace, as the web client keeps one per browser (reference §2). */
function derivedDeviceId(identity: UpstreamIdentity): string {
  const h = createHash('sha256').update(identity.chatgptAccountId ?? identity.accessToken).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The HTTP side of the ChatGPT upstream: several interchangeable base URLs taken in turn, sent
 * through the worker's one way out (UpstreamExchange: a keep-alive pool, or the account's outbound proxy).
 */
@Injectable()
export class ChatGptClient {
  private readonly bases: BaseUrlRotation;

  constructor(
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    private readonly upstream: UpstreamExchange,
  ) {
    this.bases = new BaseUrlRotation(baseUrlsOf(config.CHATGPT_BASE_URL));
  }

  private headersFor(identity: UpstreamIdentity, accept: string): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${identity.accessToken}`,
      'content-type': 'application/json',
      accept,
      'oai-device-id': identity.deviceId ?? derivedDeviceId(identity),
      'oai-language': 'en-US',
    };
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    // Private upstream gateways (AUTH_KEY) want their key on every request.
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    return headers;
  }

  /**
   * One request as the identity, through its proxy and the first reachable base. Every upstream call
   * goes through here, so none of them can bypass the proxies; no usable proxy is a mapped failure.
   */
  private exchange(
    identity: UpstreamIdentity,
    method: UpstreamRequest['method'],
    target: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal,
  ): Promise<ExchangeResult> {
    return this.upstream.exchange(identity, this.bases, method, target, headers, body, signal);
  }

  /**
   * A JSON call to the upstream's backend API (the file endpoints, account information such as
   * /backend-api/models, conversation management): a 2xx answers its parsed object, anything else
   * the mapped failure (§7), so a 401 or 429 rotates accounts like a conversation. A failure also
   * carries the upstream's status (0: no answer) and its body, read capped, for callers that say it
   * in their own words (conversation management).
   */
  async callJson(identity: UpstreamIdentity, method: 'GET' | 'POST' | 'PATCH', path: string, body: unknown, signal: AbortSignal): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const sent = await this.exchange(identity, method, path, this.headersFor(identity, 'application/json'), payload, signal);
    if (!sent.ok) return { ...sent, status: 0, text: '' };
    const { res } = sent;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await readCapped(res.body);
      return { ok: false, status: res.statusCode, text, failure: failureFrom(res.statusCode, res.headers, text) };
    }
    // Read far (a long conversation's mapping is the largest answer), never without bound.
    const text = await readCapped(res.body, JSON_BODY_LIMIT);
    try {
      const json: unknown = JSON.parse(text);
      if (json && typeof json === 'object' && !Array.isArray(json)) return { ok: true, status: res.statusCode, json: json as Record<string, unknown> };
    } catch {
      // a 2xx that is not JSON: a challenge or error page in disguise
    }
    return { ok: false, status: 502, text: text.slice(0, ERROR_BODY_LIMIT), failure: chatgptHttpFailure(502, text) };
  }

  /** A JSON GET on the upstream as this identity; failures come back mapped as for a conversation. */
  async getJson(identity: UpstreamIdentity, path: string, signal: AbortSignal): Promise<{ ok: true; body: unknown } | { ok: false; failure: BusError }> {
    const answer = await this.callJson(identity, 'GET', path, undefined, signal);
    return answer.ok ? { ok: true, body: answer.json } : { ok: false, failure: answer.failure };
  }

  /**
   * A GET whose status the caller judges itself (a file's download URL: a 404 there means the file is
   * gone, not that the account failed), with the answer's text read up to the JSON limit. Only a
   * proxy that cannot carry it comes back as a failure; a network error is thrown as for any call.
   */
  async getText(identity: UpstreamIdentity, path: string, signal: AbortSignal): Promise<{ ok: true; status: number; text: string } | { ok: false; failure: BusError }> {
    const sent = await this.exchange(identity, 'GET', path, this.headersFor(identity, 'application/json'), undefined, signal);
    if (!sent.ok) return sent;
    return { ok: true, status: sent.res.statusCode, text: await readCapped(sent.res.body, JSON_BODY_LIMIT) };
  }

  /**
   * GETs a generated file from the short-lived download URL the upstream handed out (its file store,
   * signed, no credential): through the account's proxy like every other call of that account, never
   * with the account's token. The caller reads the body (and caps it).
   */
  fetchFile(identity: UpstreamIdentity, downloadUrl: string, signal: AbortSignal): Promise<ExchangeResult> {
    return this.upstream.fetchUrl(identity, downloadUrl, signal);
  }

  async openConversation(identity: UpstreamIdentity, body: unknown, signal: AbortSignal): Promise<ConversationResponse> {
    const answer = await this.send(identity, { method: 'POST', path: this.config.CHATGPT_CONVERSATION_PATH, query: '', headers: {}, body: Buffer.from(JSON.stringify(body)), expectType: 'text/event-stream' }, signal);
    return answer.ok ? { ok: true, body: answer.body } : answer;
  }

  /**
   * Any request on the upstream as the identity (the HTTP relay): the caller's method, path, query,
   * body and few headers, with the identity's token, workspace and device id in place of the
   * caller's. A 2xx whose content type is not `expectType` counts as a failure, like any non-2xx.
   */
  async send(identity: UpstreamIdentity, req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers = { ...req.headers, ...this.headersFor(identity, req.expectType) };
    const target = `${req.path}${req.query ? `?${req.query}` : ''}`;
    const sent = await this.exchange(identity, req.method, target, headers, req.body, signal);
    if (!sent.ok) return sent;
    const { res } = sent;
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && contentType.includes(req.expectType)) {
      return { ok: true, status: res.statusCode, headers: res.headers, body: res.body };
    }
    return { ok: false, failure: await failureOf(res) };
  }
}
