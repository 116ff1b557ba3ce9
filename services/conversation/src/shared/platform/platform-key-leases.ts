import { randomInt } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ACCOUNT_KEYS,
  ACCOUNTS_CHANGED,
  accountKeysReplySchema,
  accountsChangedEventSchema,
  servesModel,
  type AccountKeysReply,
  type AccountLeaseReply,
  type AccountLeaseRequest,
  type AccountReport,
  type AccountReportReply,
} from '@chatgate/contracts';
import { AccountLeaseClient, decodeJson, NATS_CONNECTION, requestJson } from '@chatgate/service-kit';

/** As auth's own pool snapshot: kept at most this long, whatever events say. */
const SNAPSHOT_TTL_MS = 30_000;
const KEYS_TIMEOUT_MS = 5000;

type Keys = Extract<AccountKeysReply, { ok: true }>;

/** Where the snapshot comes from and where leases that it cannot answer go (auth, over the bus). */
export interface KeySource {
  keys(tenantId: string): Promise<AccountKeysReply>;
  lease(request: AccountLeaseRequest): Promise<AccountLeaseReply>;
  report(report: AccountReport): Promise<AccountReportReply>;
}

/**
 * Leases of the tenant's API keys from a local snapshot, so a platform request costs no bus hop to auth:
 * the same choice auth makes (a key of the tenant that serves the model, is allowed to the credential,
 * not tried yet by the request and not cooling for the model; in turn, or at random when auth says
 * RANDOM_TOKEN). The snapshot is the tenant's usable keys as auth sees them (`ACCOUNT_KEYS`), dropped when
 * `ACCOUNTS_CHANGED` names the tenant, when this worker reports one of its keys, and after 30 s.
 *
 * Everything that is not the plain success goes to auth as before: a lease the snapshot has no key for
 * (auth's answer says why: 429 with the first key's cool-down, or 503), a snapshot that cannot be loaded,
 * and every report (cool-down, disable, last error), which auth stores and announces.
 */
export class KeySnapshotLeases {
  private readonly snapshots = new Map<string, { at: number; keys: Promise<Keys | null> }>();
  private readonly turns = new Map<string, number>();
  /** Which tenant's snapshot holds a key, for a report that names the key only. */
  private readonly tenantOf = new Map<string, string>();

  constructor(
    private readonly source: KeySource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drop a tenant's snapshot (`ACCOUNTS_CHANGED`), or every one (an event that cannot be read). */
  forget(tenantId?: string): void {
    if (tenantId === undefined) this.snapshots.clear();
    else this.snapshots.delete(tenantId);
  }

  async lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    if (request.kind !== 'api_key' || request.purpose === 'download') return this.source.lease(request);
    const snapshot = await this.snapshot(request.tenantId);
    if (!snapshot) return this.source.lease(request);
    const now = this.now();
    const exclude = request.exclude;
    const allowed = request.allowed;
    const candidates = snapshot.keys.filter(
      (k) => !exclude.includes(k.lease.accountId) && (!allowed || allowed.includes(k.lease.accountId)) && servesModel(k.models, request.model) && (k.cooldowns[request.model] ?? 0) <= now,
    );
    if (!candidates.length) return this.source.lease(request);
    return { ok: true, lease: { ...this.choose(request, candidates, snapshot.random).lease } };
  }

  report(report: AccountReport): Promise<AccountReportReply> {
    // The key's state changes at auth: no further lease from a snapshot that still holds it as it was.
    const tenantId = this.tenantOf.get(report.accountId);
    if (tenantId !== undefined) this.snapshots.delete(tenantId);
    return this.source.report(report);
  }

  private choose(request: AccountLeaseRequest, candidates: Keys['keys'], random: boolean): Keys['keys'][number] {
    if (candidates.length === 1) return candidates[0];
    if (random) return candidates[randomInt(candidates.length)];
    const key = `${request.tenantId}\u0000${request.model}`;
    const turn = (this.turns.get(key) ?? 0) + 1;
    this.turns.set(key, turn);
    return candidates[turn % candidates.length];
  }

  private snapshot(tenantId: string): Promise<Keys | null> {
    const now = this.now();
    const cached = this.snapshots.get(tenantId);
    if (cached && now - cached.at < SNAPSHOT_TTL_MS) return cached.keys;
    const entry = {
      at: now,
      keys: this.source.keys(tenantId).then(
        (reply) => {
          if (!reply.ok) return null;
          for (const k of reply.keys) this.tenantOf.set(k.lease.accountId, tenantId);
          return reply;
        },
        () => null,
      ),
    };
    this.snapshots.set(tenantId, entry);
    // A failed load is not kept: the next request asks again (and this one is leased by auth).
    void entry.keys.then((keys) => {
      if (!keys && this.snapshots.get(tenantId) === entry) this.snapshots.delete(tenantId);
    });
    return entry.keys;
  }
}

/**
 * The platform runner's account leases: API keys from the worker's snapshot (`KeySnapshotLeases`), kept
 * current by `ACCOUNTS_CHANGED`; every other lease and every report through auth (`AccountLeaseClient`).
 */
@Injectable()
export class PlatformKeyLeases implements OnModuleInit, OnModuleDestroy {
  private readonly leases: KeySnapshotLeases;
  private changes?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    client: AccountLeaseClient,
  ) {
    this.leases = new KeySnapshotLeases({
      keys: (tenantId) => requestJson(nc, ACCOUNT_KEYS, { tenantId }, accountKeysReplySchema, KEYS_TIMEOUT_MS),
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
