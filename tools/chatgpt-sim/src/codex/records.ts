// Every request the Codex-facing routes received, as received: method, path, query, headers and
// body, the account it authenticated as and the status it got. Gateway tests read them to assert
// what chatgate sent upstream. They hold credentials: in-process reads see them whole; the HTTP
// control route masks them unless asked (`?reveal=1`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamRequestRecord } from '../types.js';

const MAX_RECORDS = 1000;
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'authkey']);
const SECRET_FIELDS = new Set(['refresh_token', 'access_token', 'id_token']);

export class RequestRecords {
  private list: UpstreamRequestRecord[] = [];

  /** Starts a record; its status is filled in when the answer has gone out. */
  start(req: IncomingMessage, res: ServerResponse, path: string): UpstreamRequestRecord {
    const url = new URL(req.url ?? '/', 'http://sim');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const record: UpstreamRequestRecord = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: null,
      accountId: null,
      status: null,
    };
    this.list.push(record);
    if (this.list.length > MAX_RECORDS) this.list.shift();
    res.once('finish', () => (record.status = res.statusCode));
    res.once('close', () => (record.status ??= res.headersSent ? res.statusCode : null));
    return record;
  }

  all(): UpstreamRequestRecord[] {
    return this.list.map((r) => structuredClone(r));
  }

  /** The records with credentials cut to their ends (`eyJhbG…x9Qk`). */
  masked(): UpstreamRequestRecord[] {
    return this.all().map((r) => ({
      ...r,
      headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, SECRET_HEADERS.has(k) ? mask(v) : v])),
      body: r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? Object.fromEntries(Object.entries(r.body).map(([k, v]) => [k, SECRET_FIELDS.has(k) && typeof v === 'string' ? mask(v) : v])) : r.body,
    }));
  }

  clear(): void {
    this.list = [];
  }
}

function mask(value: string): string {
  return value.length <= 16 ? '…' : `${value.slice(0, 6)}…${value.slice(-4)}`;
}
