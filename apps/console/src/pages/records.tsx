import { useState } from 'preact/hooks';
import type { DeadLetterPage } from '../api/types';
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
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Audit log" />
      <p class="muted">Who changed what, newest first.</p>
      <Loaded resource={audit} what="the audit log" failure="Could not load the audit log" isEmpty={rows.length === 0} empty={<p>Nothing recorded yet.</p>}>
        {() => (
          <div class="table-wrap">
            <table class="responsive" aria-label="Audit log">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th scope="col">{fieldLabel(c)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    {columns.map((c) => (
                      <td data-label={fieldLabel(c)} title={looksLikeTime(c, row[c]) ? utcTitle(row[c] as string) : undefined}>
                        {looksLikeTime(c, row[c]) ? dateTime(row[c] as string) : cellText(row[c])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      {audit.data && typeof audit.data.page === 'number' ? <Pager page={audit.data.page} hasMore={Boolean(audit.data.hasMore)} total={Number(audit.data.total ?? rows.length)} onPage={setPage} /> : null}
    </section>
  );
}

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
        {() => (
          <div class="table-wrap">
            <table class="responsive" aria-label="Dead letters">
              <thead>
                <tr>
                  <th scope="col">Last seen</th>
                  <th scope="col">Times</th>
                  <th scope="col">Why</th>
                  <th scope="col">Request</th>
                  <th scope="col">Payload</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <td data-label="Last seen" title={utcTitle(row.lastSeen)}>
                      {dateTime(row.lastSeen)}
                    </td>
                    <td data-label="Times">{row.count}</td>
                    <td data-label="Why" class="error-text">
                      {row.error}
                    </td>
                    <td data-label="Request">{row.requestId ?? '—'}</td>
                    <td data-label="Payload">
                      <details>
                        <summary>
                          {row.eventBytes} bytes{row.truncated ? ' (cut)' : ''}
                        </summary>
                        <pre class="payload">{row.event}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      {letters.data ? <Pager page={letters.data.page} hasMore={letters.data.hasMore} total={letters.data.total} onPage={setPage} /> : null}
    </section>
  );
}
