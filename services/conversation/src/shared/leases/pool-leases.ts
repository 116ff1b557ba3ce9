import { randomInt } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ACCOUNT_KEYS,
  ACCOUNTS_CHANGED,
  accountKeysReplySchema,
  accountsChangedEventSchema,
  planAllows,
  servesModel,
  snapshotKindSchema,
  type AccountKey,
  type AccountKeysReply,
  type AccountLeaseReply,
  type AccountLeaseRequest,
  type AccountReport,
  type AccountReportReply,
  type SnapshotKind,
} from '@chatgate/contracts';
import { AccountLeaseClient, decodeJson, NATS_CONNECTION, requestJson } from '@chatgate/service-kit';

/** As auth's own pool snapshot: kept at most this long, whatever events say. */
const SNAPSHOT_TTL_MS = 30_000;
const KEYS_TIMEOUT_MS = 5000;

type Keys = Extract<AccountKeysReply, { ok: true }>;

/** Where the snapshot comes from and where leases that it cannot answer go (auth, over the bus). */
export interface KeySource {
  keys(tenantId: string, kind: SnapshotKind): Promise<AccountKeysReply>;
  lease(request: AccountLeaseRequest): Promise<AccountLeaseReply>;
  report(report: AccountReport): Promise<AccountReportReply>;
}

/** Whether an account of the snapshot may serve the model now: what auth's pool checks for its kind, its cool-down, its token's age. */
function fits(account: AccountKey, kind: SnapshotKind, model: string, now: number): boolean {
  if ((account.cooldowns[model] ?? 0) > now) return false;
  if (kind === 'api_key') return servesModel(account.models, model);
  return planAllows(account.plan ?? null, model) && (account.usableUntil ?? Infinity) > now;
}

/**
 * Leases of the tenant's API keys and ChatGPT logins from a local snapshot, so a request costs no bus
 * hop to auth: the same choice auth makes (an account of the tenant of the kind asked, that serves the
 * model — a key's model list, a login's plan —, is allowed to the credential, not tried yet by the
 * request and not cooling for the model; in turn, or at random when auth says RANDOM_TOKEN). The
 * snapshot is the tenant's usable accounts of a kind as auth sees them (`ACCOUNT_KEYS`), dropped when
 * `ACCOUNTS_CHANGED` names the tenant, when this worker reports one of its accounts, and after 30 s.
 * Turns are this worker's: with several replicas each goes round on its own (auth's turn is shared
 * through Redis), which spreads requests as evenly.
 *
 * Everything that is not the plain success goes to auth as before: a lease the snapshot has no account
 * for (auth's answer says why: 429 with the first cool-down, or 503; or auth refreshes a login whose
 * token is near its expiry, `usableUntil`), a Codex login (its headroom is auth's), a download, a
 * snapshot that cannot be loaded, and every report (cool-down, disable, 401), which auth stores and announces.
 */
export class SnapshotLeases {
  private readonly snapshots = new Map<string, { at: number; keys: Promise<Keys | null> }>();
  private readonly turns = new Map<string, number>();
  /** Which snapshot holds an account, for a report that names the account only. */
  private readonly snapshotOf = new Map<string, string>();

  constructor(
    private readonly source: KeySource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drop a tenant's snapshots (`ACCOUNTS_CHANGED`), or every one (an event that cannot be read). */
  forget(tenantId?: string): void {
    if (tenantId === undefined) return this.snapshots.clear();
    for (const kind of snapshotKindSchema.options) this.snapshots.delete(snapshotKey(tenantId, kind));
  }

  async lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    const snapshotKind = snapshotKindSchema.safeParse(request.kind ?? 'chatgpt');
    if (!snapshotKind.success || request.purpose === 'download') return this.source.lease(request);
    const kind = snapshotKind.data;
    const snapshot = await this.snapshot(request.tenantId, kind);
    if (!snapshot) return this.source.lease(request);
    const now = this.now();
    const exclude = request.exclude;
    const allowed = request.allowed;
    const candidates = snapshot.keys.filter((k) => !exclude.includes(k.lease.accountId) && (!allowed || allowed.includes(k.lease.accountId)) && fits(k, kind, request.model, now));
    if (!candidates.length) return this.source.lease(request);
    return { ok: true, lease: { ...this.choose(`${kind}\u0000${request.tenantId}\u0000${request.model}`, candidates, snapshot.random).lease } };
  }

  report(report: AccountReport): Promise<AccountReportReply> {
    // The account's state changes at auth: no further lease from a snapshot that still holds it as it was.
    const key = this.snapshotOf.get(report.accountId);
    if (key !== undefined) this.snapshots.delete(key);
    return this.source.report(report);
  }

  /** `turnKey`: whose turn it is (kind, tenant, model). */
  private choose(turnKey: string, candidates: Keys['keys'], random: boolean): Keys['keys'][number] {
    if (candidates.length === 1) return candidates[0];
    if (random) return candidates[randomInt(candidates.length)];
    const turn = (this.turns.get(turnKey) ?? 0) + 1;
    this.turns.set(turnKey, turn);
    return candidates[turn % candidates.length];
  }

  private snapshot(tenantId: string, kind: SnapshotKind): Promise<Keys | null> {
    const now = this.now();
    const key = snapshotKey(tenantId, kind);
    const cached = this.snapshots.get(key);
    if (cached && now - cached.at < SNAPSHOT_TTL_MS) return cached.keys;
    const entry = {
      at: now,
      keys: this.source.keys(tenantId, kind).then(
        (reply) => {
          if (!reply.ok) return null;
          for (const k of reply.keys) this.snapshotOf.set(k.lease.accountId, key);
          return reply;
        },
        () => null,
      ),
    };
    this.snapshots.set(key, entry);
    // A failed load is not kept: the next request asks again (and this one is leased by auth).
    void entry.keys.then((keys) => {
      if (!keys && this.snapshots.get(key) === entry) this.snapshots.delete(key);
    });
    return entry.keys;
  }
}

function snapshotKey(tenantId: string, kind: SnapshotKind): string {
  return `${kind}\u0000${tenantId}`;
}

/**
 * The worker's account leases (the chat, relay and platform runners'): API keys and ChatGPT logins from
 * its snapshots (`SnapshotLeases`), kept current by `ACCOUNTS_CHANGED`; every other lease and every
 * report through auth (`AccountLeaseClient`).
 */
@Injectable()
export class PoolLeases implements OnModuleInit, OnModuleDestroy {
  private readonly leases: SnapshotLeases;
  private changes?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    client: AccountLeaseClient,
  ) {
    this.leases = new SnapshotLeases({
      keys: (tenantId, kind) => requestJson(nc, ACCOUNT_KEYS, { tenantId, kind }, accountKeysReplySchema, KEYS_TIMEOUT_MS),
      lease: (request) => client.lease(request),
      report: (report) => client.report(report),
    });
  }

  onModuleInit() {
    // On the connection leases and reports use: auth publishes the change before it answers the report.
    this.changes = this.nc.subscribe(ACCOUNTS_CHANGED, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.leases.forget(decodeJson(accountsChangedEventSchema, msg.data).tenantId);
        } catch {
          this.leases.forget();
        }
      },
    });
  }

  onModuleDestroy() {
    this.changes?.unsubscribe();
  }

  lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    return this.leases.lease(request);
  }

  report(report: AccountReport): Promise<AccountReportReply> {
    return this.leases.report(report);
  }
}
