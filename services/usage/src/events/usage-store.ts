import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rollup, type PricedEvent } from './rollup.js';

const INSERT_EVENTS = `
  INSERT INTO "usage"."usage_events" (
    "request_id", "tenant_id", "user_id", "user_name", "credential_id", "account_id", "account_label", "model", "kind",
    "prompt_tokens", "completion_tokens", "estimated", "outcome", "status", "latency_ms", "at", "upstream", "characters", "cost_micro_usd")
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::int[], $11::int[], $12::bool[], $13::text[], $14::int[], $15::real[], $16::timestamptz[], $17::text[], $18::int[], $19::bigint[])
  ON CONFLICT ("request_id") DO NOTHING
  RETURNING "request_id"`;

const UPSERT_HOURLY = `
  INSERT INTO "usage"."usage_hourly" AS h (
    "tenant_id", "user_key", "account_key", "model", "kind", "hour", "user_name", "account_label",
    "requests", "errors", "cancelled", "prompt_tokens", "completion_tokens", "cost_micro_usd")
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
    $9::int[], $10::int[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[])
  ON CONFLICT ("tenant_id", "user_key", "account_key", "model", "kind", "hour") DO UPDATE SET
    "user_name" = coalesce(excluded."user_name", h."user_name"),
    "account_label" = coalesce(excluded."account_label", h."account_label"),
    "requests" = h."requests" + excluded."requests",
    "errors" = h."errors" + excluded."errors",
    "cancelled" = h."cancelled" + excluded."cancelled",
    "prompt_tokens" = h."prompt_tokens" + excluded."prompt_tokens",
    "completion_tokens" = h."completion_tokens" + excluded."completion_tokens",
    "cost_micro_usd" = h."cost_micro_usd" + excluded."cost_micro_usd"`;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Stores a batch of events in one transaction: the events that were not stored before (a
 * redelivery or a second publish inserts nothing), and the rollups of exactly those.
 */
@Injectable()
export class UsageStore {
  constructor(private readonly db: DataSource) {}

  /** Returns how many events were new. */
  async store(batch: readonly PricedEvent[]): Promise<number> {
    // A batch may hold one request's event twice (redelivered while the first copy waited, or the gateway's
    // `worker_lost` and a late worker's): the first one counts, as it would had they come in two batches.
    const first = new Map<string, PricedEvent>();
    for (const e of batch) if (!first.has(e.requestId)) first.set(e.requestId, e);
    const events = [...first.values()];
    if (!events.length) return 0;
    return this.db.transaction(async (m) => {
      const col = <T>(f: (e: PricedEvent) => T) => events.map(f);
      const inserted: Array<{ request_id: string }> = await m.query(INSERT_EVENTS, [
        col((e) => e.requestId),
        col((e) => e.tenantId),
        col((e) => e.userId),
        col((e) => e.userName),
        col((e) => e.credentialId),
        col((e) => e.accountId),
        col((e) => e.accountLabel),
        col((e) => e.model),
        col((e) => e.kind),
        col((e) => e.promptTokens),
        col((e) => e.completionTokens),
        col((e) => e.estimated),
        col((e) => e.outcome),
        col((e) => e.status),
        col((e) => e.latencyMs),
        col((e) => iso(e.at)),
        col((e) => e.upstream ?? 'chatgpt'),
        col((e) => e.characters ?? 0),
        col((e) => e.costMicroUsd ?? 0),
      ]);
      if (!inserted.length) return 0;
      const fresh = new Set(inserted.map((r) => r.request_id));
      const rows = rollup(events.filter((e) => fresh.has(e.requestId)));
      const rcol = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
      await m.query(UPSERT_HOURLY, [
        rcol((r) => r.tenantId),
        rcol((r) => r.userKey),
        rcol((r) => r.accountKey),
        rcol((r) => r.model),
        rcol((r) => r.kind),
        rcol((r) => iso(r.hour)),
        rcol((r) => r.userName),
        rcol((r) => r.accountLabel),
        rcol((r) => r.requests),
        rcol((r) => r.errors),
        rcol((r) => r.cancelled),
        rcol((r) => r.promptTokens),
        rcol((r) => r.completionTokens),
        rcol((r) => r.costMicroUsd),
      ]);
      return inserted.length;
    });
  }
}
