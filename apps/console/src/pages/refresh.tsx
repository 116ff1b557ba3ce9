import { useState } from 'preact/hooks';
import type { RefreshPasses, RefreshPassJson, StartRefreshPassResult } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ActionNotices, Badge, Empty, ErrorNotice, Loading, PageHeader, ProgressBar } from '../components/ui';
import { dateTime, relativeTime, utcTitle } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

/** While a pass runs its progress is read every second; otherwise now and then, to notice a scheduled one. */
const RUNNING_POLL_MS = 1000;
const IDLE_POLL_MS = 10_000;

function duration(pass: RefreshPassJson): string {
  const end = pass.finishedAt ? Date.parse(pass.finishedAt) : Date.now();
  const seconds = Math.max(0, Math.round((end - Date.parse(pass.startedAt)) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

const PASS_COLUMNS: Array<Column<RefreshPassJson>> = [
  { name: 'Started', cell: (pass) => dateTime(pass.startedAt), title: (pass) => utcTitle(pass.startedAt) },
  { name: 'Trigger', cell: (pass) => `${pass.trigger}${pass.forced ? ' (forced)' : ''}` },
  { name: 'Status', cell: (pass) => <Badge tone={pass.status === 'running' ? 'cooling' : pass.failed ? 'warning' : 'ok'}>{pass.status}</Badge> },
  { name: 'Accounts', cell: (pass) => pass.total },
  { name: 'Refreshed', cell: (pass) => pass.done },
  { name: 'Failed', cell: (pass) => pass.failed },
  { name: 'Took', cell: (pass) => duration(pass) },
];

function PassProgress({ pass }: { pass: RefreshPassJson }) {
  const finished = pass.done + pass.failed;
  return (
    <div class="card" aria-live="polite" data-pass-id={pass.id}>
      <div class="card-head">
        <strong>{pass.status === 'running' ? 'Running now' : 'Last pass'}</strong>
        <Badge tone={pass.status === 'running' ? 'cooling' : pass.failed ? 'warning' : 'ok'}>{pass.status}</Badge>
      </div>
      <ProgressBar value={finished} max={pass.total} label={`Refresh pass progress: ${finished} of ${pass.total} accounts`} />
      <p class="pass-counts">
        {finished} of {pass.total} accounts · {pass.done} refreshed · {pass.failed} failed · {pass.remaining} remaining
      </p>
      <p class="muted small">
        {pass.forced ? 'Forced' : 'Expiring tokens only'} · started by {pass.trigger} <span title={utcTitle(pass.startedAt)}>{relativeTime(pass.startedAt)}</span> · {duration(pass)}
      </p>
    </div>
  );
}

export function RefreshPage() {
  const { session } = useSession();
  const [forced, setForced] = useState(true);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const passes = useResource((signal) => session.api.get<RefreshPasses>('admin/v1/refresh/passes', {}, signal), [session.api], {
    pollMs: (data) => (data?.current ? RUNNING_POLL_MS : IDLE_POLL_MS),
  });

  const start = async () => {
    setStarting(true);
    setError(null);
    setMessage(null);
    try {
      const result = await session.api.post<StartRefreshPassResult>('admin/v1/refresh/passes', { forced });
      setMessage(result.started ? 'Refresh pass started.' : result.reason === 'running' ? 'A pass is already running; its progress is below.' : 'Not started: a pass already ran for this day.');
      await passes.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setStarting(false);
    }
  };

  const data = passes.data;
  const history = data?.history ?? (data?.latest ? [data.latest] : []);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Refresh passes">
        <label class="inline">
          <input type="checkbox" checked={forced} onChange={(e) => setForced((e.target as HTMLInputElement).checked)} /> Every account (forced)
        </label>
        <button type="button" class="button button-primary" disabled={starting || Boolean(data?.current)} onClick={start}>
          {data?.current ? 'A pass is running' : starting ? 'Starting…' : 'Start a refresh pass'}
        </button>
      </PageHeader>
      <p class="muted">A pass refreshes the access tokens of every tenant's ChatGPT logins (forced), or only those about to expire. API keys have nothing to refresh.</p>
      <ActionNotices error={error} done={message} failure="Could not start a pass" />
      <ErrorNotice error={passes.error} title="Could not load the refresh passes" />
      {passes.loading ? <Loading what="refresh passes" /> : null}
      {data?.current ? <PassProgress pass={data.current} /> : data?.latest ? <PassProgress pass={data.latest} /> : null}
      <h2>History</h2>
      {!passes.loading && history.length === 0 ? (
        <Empty>
          <p>No refresh pass has run yet.</p>
        </Empty>
      ) : (
        <DataTable label="Refresh pass history" columns={PASS_COLUMNS} rows={history} rowKey={(pass) => pass.id} />
      )}
    </section>
  );
}
