import { useState } from 'preact/hooks';
import type { DeadLetterPage, DeadLetterView } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Loaded, PageHeader, Pager } from '../components/ui';
import { fieldLabel } from '../components/fields';
import { dateTime, utcTitle } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

type Json = Record<string, unknown>;

/** The rows of a page answer, whatever the list is called (`data`, `rows`, `entries`…). */
export function rowsOf(page: unknown): Json[] {
  if (Array.isArray(page)) return page as Json[];
  if (typeof page !== 'object' || page === null) return [];
  const list = Object.values(page).find((v) => Array.isArray(v));
  return (list as Json[] | undefined) ?? [];
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const looksLikeTime = (name: string, value: unknown) => typeof value === 'string' && /(^at$|At$|_at$|time|seen)/i.test(name) && !Number.isNaN(Date.parse(value));

/**
 * A list the console renders as the API answers it: columns from the rows' own fields. For the
 * audit log, whose fields another change defines; the console shows it once the API has it.
 */
export function AuditPage() {
  const { session } = useSession();
  const [page, setPage] = useState(1);
  const audit = useResource((signal) => session.api.get<Json>('admin/v1/audit', { page, limit: 50 }, signal), [session.api, page], { pollMs: 15_000 });
  const rows = rowsOf(audit.data);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10).map(
    (field): Column<Json> => ({
      name: fieldLabel(field),
      cell: (row) => (looksLikeTime(field, row[field]) ? dateTime(row[field] as string) : cellText(row[field])),
      title: (row) => (looksLikeTime(field, row[field]) ? utcTitle(row[field] as string) : undefined),
    }),
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Audit log" />
      <p class="muted">Who changed what, newest first.</p>
      <Loaded resource={audit} what="the audit log" failure="Could not load the audit log" isEmpty={rows.length === 0} empty={<p>Nothing recorded yet.</p>}>
        {() => <DataTable label="Audit log" columns={columns} rows={rows} rowKey={(_row, index) => index} />}
      </Loaded>
      {audit.data && typeof audit.data.page === 'number' ? <Pager page={audit.data.page} hasMore={Boolean(audit.data.hasMore)} total={Number(audit.data.total ?? rows.length)} onPage={setPage} /> : null}
    </section>
  );
}

const DEAD_LETTER_COLUMNS: Array<Column<DeadLetterView>> = [
  { name: 'Last seen', cell: (row) => dateTime(row.lastSeen), title: (row) => utcTitle(row.lastSeen) },
  { name: 'Times', cell: (row) => row.count },
  { name: 'Why', class: 'error-text', cell: (row) => row.error },
  { name: 'Request', cell: (row) => row.requestId ?? '—' },
  {
    name: 'Payload',
    cell: (row) => (
      <details>
        <summary>
          {row.eventBytes} bytes{row.truncated ? ' (cut)' : ''}
        </summary>
        <pre class="payload">{row.event}</pre>
      </details>
    ),
  },
];

/** Usage events the usage service could not store: what arrived and why it was refused. */
export function DeadLettersPage() {
  const { session } = useSession();
  const [page, setPage] = useState(1);
  const letters = useResource((signal) => session.api.get<DeadLetterPage>('admin/v1/usage/dead-letters', { page, limit: 20 }, signal), [session.api, page]);
  const rows = letters.data?.rows ?? [];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Dead letters" />
      <p class="muted">Usage events that could not be stored (not a usage event, or a row the database refused), newest first.</p>
      <Loaded resource={letters} what="dead letters" failure="Could not load the dead letters" isEmpty={rows.length === 0} empty={<p>None: every usage event was stored.</p>}>
        {() => <DataTable label="Dead letters" columns={DEAD_LETTER_COLUMNS} rows={rows} rowKey={(row) => row.id} />}
      </Loaded>
      {letters.data ? <Pager page={letters.data.page} hasMore={letters.data.hasMore} total={letters.data.total} onPage={setPage} /> : null}
    </section>
  );
}
