import { Inject, Injectable } from '@nestjs/common';
import { conversationFailure, type AccountLease, type BusError, type ConversationAction, type ConversationCaller, type ConversationManageReply } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { CONVERSATION_LOGGER } from '../conversation.config.js';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { ChatGptClient, type JsonAnswer, type UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';
import { ConversationContinuity } from '../shared/records/conversation-continuity.js';
import { ConversationRecordStore } from '../shared/records/conversation-record.store.js';
import { ownerKeyOf, type ConversationRecord, type RecordScope } from '../shared/records/conversation-record.js';
import { conversationAccountUnavailable, conversationNotFound, managementFailure, upstreamUnreachableForManagement } from './management-failures.js';

/**
 * Leases are per model (cool-downs are); management calls send no message, so they lease under a
 * slug every plan has. An account cooling down for it is the rare case where a read waits.
 */
const MANAGEMENT_LEASE_MODEL = 'auto';

/** A management call that has not answered by then is given up (502), so a caller never hangs on it. */
const MANAGEMENT_TIMEOUT_MS = 30_000;

/** An upstream answer: a success, or the failure for the client with the upstream's status (0: no answer). */
type Upstream = { ok: true; status: number; body: unknown } | { ok: false; status: number; failure: BusError };
type Method = 'GET' | 'POST' | 'PATCH';

const path = {
  list: (offset: number, limit: number) => `/backend-api/conversations?offset=${offset}&limit=${limit}&order=updated`,
  one: (id: string) => `/backend-api/conversation/${encodeURIComponent(id)}`,
  all: () => '/backend-api/conversations',
  genTitle: (id: string) => `/backend-api/conversation/gen_title/${encodeURIComponent(id)}`,
  feedback: () => '/backend-api/conversation/message_feedback',
};

function identityOf(lease: AccountLease): UpstreamIdentity {
  return { accessToken: lease.accessToken, chatgptAccountId: lease.chatgptAccountId, deviceId: lease.deviceId };
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}

/**
 * The management calls (`/backend-api/conversation…`). A caller's own ChatGPT token owns its
 * upstream account, so its calls pass through. A pool caller acts on the records: an isolated user
 * on their own conversations only, anyone else on the tenant's shared conversations on the accounts
 * they may use (never an isolated user's, never a raw token's); hide-all hides the caller's own
 * only. A conversation outside the scope is a 404, exactly like one that does not exist. Calls on
 * one conversation go to the account that holds it.
 */
@Injectable()
export class ConversationManager {
  constructor(
    private readonly store: ConversationRecordStore,
    private readonly client: ChatGptClient,
    private readonly leases: AccountLeaseClient,
    private readonly writes: ConversationContinuity,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {}

  async handle(caller: ConversationCaller, action: ConversationAction): Promise<ConversationManageReply> {
    const upstream = caller.upstream;
    if (upstream.kind === 'chatgpt_access_token') return this.passThrough(caller, upstream, action);
    const own: RecordScope = { tenantId: caller.tenantId, ownerKey: ownerKeyOf(caller) };
    const scope: RecordScope = caller.isolatedSession ? own : { tenantId: caller.tenantId, accountIds: upstream.accountIds ?? null };
    // A chat that just ended in this worker is listed and found (records are written after the reply).
    await this.writes.settled('ownerKey' in scope ? scope.ownerKey : undefined);
    // An isolated user's records made before isolation was recorded leave the shared scope now.
    if (caller.isolatedSession) await this.store.markIsolated([{ tenantId: caller.tenantId, ownerKey: ownerKeyOf(caller) }]);

    switch (action.op) {
      case 'list':
        return this.list(scope, action.offset, action.limit);
      case 'hide_all':
        // Only the caller's own: a pool code or a user of a shared pool never hides the others' conversations.
        return this.hideAll(caller, own);
      case 'get':
      case 'update':
      case 'gen_title':
      case 'feedback': {
        const record = await this.store.find(scope, action.conversationId);
        // Hidden is deleted, as far as the caller can tell; the upstream says the same.
        if (!record || !record.isVisible) return { ok: false, failure: conversationNotFound(action.conversationId) };
        return this.onRecord(caller, scope, record, action);
      }
    }
  }

  private async list(scope: RecordScope, offset: number, limit: number): Promise<ConversationManageReply> {
    const { items, total } = await this.store.list(scope, offset, limit);
    return {
      ok: true,
      status: 200,
      body: {
        items: items.map((r) => ({ id: r.conversationId, title: r.title ?? 'New chat', create_time: seconds(r.createdAt), update_time: seconds(r.updatedAt) })),
        total,
        limit,
        offset,
        has_missing_conversations: false,
      },
    };
  }

  private async onRecord(caller: ConversationCaller, scope: RecordScope, record: ConversationRecord, action: Exclude<ConversationAction, { op: 'list' | 'hide_all' }>): Promise<ConversationManageReply> {
    const id = record.conversationId;
    switch (action.op) {
      case 'get':
        return this.reply(await this.onAccount(caller, record, 'GET', path.one(id)));
      case 'update': {
        const result = await this.onAccount(caller, record, 'PATCH', path.one(id), action.patch);
        if (result.ok) {
          if (action.patch.title !== undefined) await this.store.setTitle(scope, id, action.patch.title);
          if (action.patch.is_visible === false) await this.store.hide(scope, id);
        }
        return this.reply(result);
      }
      case 'gen_title': {
        const result = await this.onAccount(caller, record, 'POST', path.genTitle(id), { message_id: action.messageId });
        const title = result.ok ? (result.body as { title?: unknown } | null)?.title : undefined;
        if (typeof title === 'string' && title) await this.store.setTitle(scope, id, title);
        return this.reply(result);
      }
      case 'feedback':
        return this.reply(await this.onAccount(caller, record, 'POST', path.feedback(), { message_id: action.messageId, conversation_id: id, rating: action.rating }));
    }
  }

  /**
   * Hides every conversation in the scope, one by one on the account holding it: the upstream's own
   * "hide all" would also hide what other users made on a shared account.
   */
  private async hideAll(caller: ConversationCaller, scope: RecordScope): Promise<ConversationManageReply> {
    let failed = 0;
    for (let offset = 0; ; ) {
      const { items } = await this.store.list(scope, offset, 100);
      if (items.length === 0) break;
      for (const record of items) {
        // (The list gives each conversation once, even when several users' records hold it.)
        const result = await this.onAccount(caller, record, 'PATCH', path.one(record.conversationId), { is_visible: false });
        // Gone upstream already is hidden too; anything else stays visible, to be tried again.
        if (result.ok || result.status === 404) await this.store.hide(scope, record.conversationId);
        else {
          failed += 1;
          offset += 1;
        }
      }
    }
    if (failed > 0) {
      this.logger.warn({ tenantId: caller.tenantId, failed }, 'some conversations could not be hidden upstream');
      return { ok: false, failure: conversationFailure('upstream_error', `${failed} conversation(s) could not be hidden upstream; try again.`) };
    }
    return { ok: true, status: 200, body: { success: true } };
  }

  private async passThrough(caller: ConversationCaller, own: { accessToken: string; accountId?: string }, action: ConversationAction): Promise<ConversationManageReply> {
    const identity: UpstreamIdentity = { accessToken: own.accessToken, chatgptAccountId: own.accountId ?? null, deviceId: null };
    const scope: RecordScope = { tenantId: caller.tenantId, ownerKey: ownerKeyOf(caller) };
    switch (action.op) {
      case 'list':
        return this.reply(await this.call(identity, 'GET', path.list(action.offset, action.limit), undefined, true, null));
      case 'get':
        return this.reply(await this.call(identity, 'GET', path.one(action.conversationId), undefined, true, action.conversationId));
      case 'update': {
        const result = await this.call(identity, 'PATCH', path.one(action.conversationId), action.patch, true, action.conversationId);
        if (result.ok && action.patch.title !== undefined) await this.store.setTitle(scope, action.conversationId, action.patch.title);
        if (result.ok && action.patch.is_visible === false) await this.store.hide(scope, action.conversationId);
        return this.reply(result);
      }
      case 'hide_all': {
        const result = await this.call(identity, 'PATCH', path.all(), { is_visible: false }, true, null);
        if (result.ok) await this.store.hideAll(scope);
        return this.reply(result);
      }
      case 'gen_title':
        return this.reply(await this.call(identity, 'POST', path.genTitle(action.conversationId), { message_id: action.messageId }, true, action.conversationId));
      case 'feedback':
        return this.reply(await this.call(identity, 'POST', path.feedback(), { message_id: action.messageId, conversation_id: action.conversationId, rating: action.rating }, true, action.conversationId));
    }
  }

  /**
   * One call on the pool account holding the record, leased for it alone. A 401 is reported to auth
   * like a chat's: the account is refreshed once and the call made again with the new token.
   */
  private async onAccount(caller: ConversationCaller, record: ConversationRecord, method: Method, url: string, body?: unknown): Promise<Upstream> {
    const unavailable: Upstream = { ok: false, status: 0, failure: conversationAccountUnavailable() };
    if (!record.accountId) return unavailable;
    const lease = await this.leases.lease({ tenantId: caller.tenantId, model: MANAGEMENT_LEASE_MODEL, exclude: [], allowed: [record.accountId], requestId: `manage-${record.conversationId}` });
    if (!lease.ok) return unavailable;
    const result = await this.call(identityOf(lease.lease), method, url, body, false, record.conversationId);
    if (result.ok || result.status !== 401) return result;
    const report = await this.leases.report({ accountId: record.accountId, model: MANAGEMENT_LEASE_MODEL, outcome: 'unauthorized', message: 'conversation management call answered 401' });
    if (!report.ok || !report.lease) return result;
    return this.call(identityOf(report.lease), method, url, body, false, record.conversationId);
  }

  private async call(identity: UpstreamIdentity, method: Method, url: string, body: unknown, ownToken: boolean, conversationId: string | null): Promise<Upstream> {
    let res: JsonAnswer;
    try {
      res = await this.client.callJson(identity, method, url, body, AbortSignal.timeout(MANAGEMENT_TIMEOUT_MS));
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), method, path: url.split('?')[0] }, 'conversation management call failed');
      return { ok: false, status: 0, failure: upstreamUnreachableForManagement() };
    }
    if (res.ok) return { ok: true, status: res.status, body: res.json };
    // No answer at all (no usable proxy): the client's failure as the client already maps it.
    if (res.status === 0) return { ok: false, status: 0, failure: res.failure };
    return { ok: false, status: res.status, failure: managementFailure(res.status, res.text, ownToken, conversationId) };
  }

  private reply(result: Upstream): ConversationManageReply {
    return result.ok ? { ok: true, status: result.status, body: result.body } : { ok: false, failure: result.failure };
  }
}
