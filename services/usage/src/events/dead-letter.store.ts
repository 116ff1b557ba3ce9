import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLIENT_ID_MAX, DEAD_LETTER_EXCERPT_CHARS, oneLineProblem, type DeadLetterPage, type DeadLetterQueryRequest } from '@chatgate/contracts';

export interface DeadLetter {
  /** The message's bytes as they came off the stream. */
  raw: Uint8Array;
  /** Why it was not stored. */
  error: string;
  streamSeq: number | null;
}

const UPSERT = `
  INSERT INTO "usage"."dead_letters" ("id", "tenant_id", "request_id", "raw", "error", "stream_seq")
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT ("id") DO UPDATE SET
    "error" = excluded."error",
    "stream_seq" = coalesce(excluded."stream_seq", "dead_letters"."stream_seq"),
    "last_seen" = now(),
    "count" = "dead_letters"."count" + 1`;

/** Enough bytes for DEAD_LETTER_EXCERPT_CHARS characters of UTF-8, however wide. */
const EXCERPT_BYTES = DEAD_LETTER_EXCERPT_CHARS * 4;
const ERROR_MAX = 2000;
const decoder = new TextDecoder();

/** A readable id copied out of the payload, or null: the columns must never be the next thing Postgres refuses. */
function readableId(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= CLIENT_ID_MAX && oneLineProblem(value) === null ? value : null;
}

function idsOf(raw: Uint8Array): { tenantId: string | null; requestId: string | null } {
  try {
    const parsed = JSON.parse(decoder.decode(raw)) as { tenantId?: unknown; requestId?: unknown } | null;
    return { tenantId: readableId(parsed?.tenantId), requestId: readableId(parsed?.requestId) };
  } catch {
    return { tenantId: null, requestId: null };
  }
}

/** An error message as storable text: control characters and unpaired surrogates become spaces, bounded. */
function storableError(error: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to remove them
  return error.replace(/[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ' ').slice(0, ERROR_MAX);
}

interface Row {
  id: string;
  tenant_id: string | null;
  request_id: string | null;
  excerpt: Buffer;
  size: number;
  error: string;
  stream_seq: string | null;
  first_seen: Date;
  last_seen: Date;
  count: number;
}

/**
 * `usage.dead_letters`: events the consumer could not store, one row per distinct payload, for an
 * operator to read (`GET /admin/v1/usage/dead-letters`) and, once the cause is fixed, publish again.
 */
@Injectable()
export class DeadLetterStore {
  constructor(private readonly db: DataSource) {}

  async record(letter: DeadLetter): Promise<void> {
    const raw = Buffer.from(letter.raw);
    const { tenantId, requestId } = idsOf(raw);
    const id = createHash('sha256').update(raw).digest('hex');
    await this.db.query(UPSERT, [id, tenantId, requestId, raw, storableError(letter.error), letter.streamSeq]);
  }

  async page(req: DeadLetterQueryRequest): Promise<DeadLetterPage> {
    const where = req.scopeTenantId === null ? '' : 'WHERE "tenant_id" = $3';
    const params: unknown[] = [req.limit, (req.page - 1) * req.limit, ...(req.scopeTenantId === null ? [] : [req.scopeTenantId])];
    const rows: Row[] = await this.db.query(
      `SELECT "id", "tenant_id", "request_id", substring("raw" from 1 for ${EXCERPT_BYTES}) AS "excerpt", length("raw") AS "size",
              "error", "stream_seq", "first_seen", "last_seen", "count"
         FROM "usage"."dead_letters" ${where}
        ORDER BY "last_seen" DESC, "id" LIMIT $1 OFFSET $2`,
      params,
    );
    const [{ total }]: Array<{ total: string }> = await this.db.query(`SELECT count(*) AS "total" FROM "usage"."dead_letters" ${where.replace('$3', '$1')}`, params.slice(2));
    return {
      rows: rows.map((r) => {
        const text = decoder.decode(r.excerpt);
        const event = [...text].slice(0, DEAD_LETTER_EXCERPT_CHARS).join('');
        return {
          id: r.id,
          tenantId: r.tenant_id,
          requestId: r.request_id,
          event,
          eventBytes: Number(r.size),
          truncated: Number(r.size) > r.excerpt.length || event.length < text.length,
          error: r.error,
          streamSeq: r.stream_seq === null ? null : Number(r.stream_seq),
          firstSeen: r.first_seen.toISOString(),
          lastSeen: r.last_seen.toISOString(),
          count: r.count,
        };
      }),
      page: req.page,
      limit: req.limit,
      total: Number(total),
      hasMore: req.page * req.limit < Number(total),
    };
  }
}
