import { useMemo, useState } from 'preact/hooks';
import type { UsageSeries, UsageSeriesDimension } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { StackedBars } from '../components/stacked-bars';
import { Loaded, PageHeader } from '../components/ui';
import { toCsv } from '../lib/csv';
import { integer, usd } from '../lib/format';
import { groupName, METRIC_NAMES, pivot, type Metric, type SeriesGroup } from '../lib/series';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

/** The totals table under a chart: one row per group, named by what the chart splits by (its title less "By "). */
function groupColumns(title: string): Array<Column<SeriesGroup>> {
  return [
    { name: title.replace('By ', '').replace(/^./, (c) => c.toUpperCase()), label: 'Name', rowHeader: true, cell: (g) => g.name },
    { name: 'Requests', cell: (g) => integer(g.totals.requests) },
    { name: 'Errors', cell: (g) => integer(g.totals.errors) },
    { name: 'Prompt tokens', cell: (g) => integer(g.totals.promptTokens) },
    { name: 'Completion tokens', cell: (g) => integer(g.totals.completionTokens) },
    { name: 'Spend', cell: (g) => usd(g.totals.costUsd) },
  ];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type RangeChoice = '24h' | '7d' | '30d' | 'custom';
interface Range {
  from: number;
  to: number;
  granularity: 'hour' | 'day';
}

const DIMENSIONS: Array<{ by: UsageSeriesDimension; title: string }> = [
  { by: 'user', title: 'By user' },
  { by: 'model', title: 'By model' },
  { by: 'account', title: 'By account' },
  { by: 'upstream', title: 'By upstream kind' },
];

/** UTC day `YYYY-MM-DD` of an instant, as a date input shows it. */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function rangeOf(choice: RangeChoice, custom: { from: string; to: string; granularity: 'hour' | 'day' }, now: number): Range | string {
  const nextHour = Math.ceil(now / HOUR_MS) * HOUR_MS;
  const tomorrow = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  switch (choice) {
    case '24h':
      return { from: nextHour - 24 * HOUR_MS, to: nextHour, granularity: 'hour' };
    case '7d':
      return { from: tomorrow - 7 * DAY_MS, to: tomorrow, granularity: 'day' };
    case '30d':
      return { from: tomorrow - 30 * DAY_MS, to: tomorrow, granularity: 'day' };
    case 'custom': {
      const from = Date.parse(`${custom.from}T00:00:00Z`);
      const to = Date.parse(`${custom.to}T00:00:00Z`) + DAY_MS;
      if (Number.isNaN(from) || Number.isNaN(to)) return 'Pick both days.';
      if (to <= from) return 'The last day comes before the first.';
      return { from, to, granularity: custom.granularity };
    }
  }
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function UsagePage() {
  const { session } = useSession();
  const [choice, setChoice] = useState<RangeChoice>('7d');
  const [custom, setCustom] = useState({ from: utcDay(Date.now() - 6 * DAY_MS), to: utcDay(Date.now()), granularity: 'day' as 'hour' | 'day' });
  const [metric, setMetric] = useState<Metric>('requests');
  // The range is fixed when chosen (not re-read every render), so the charts ask once per choice; Reload
  // sets a new stamp, and the charts ask again even when the range it gives is the same (within the day).
  const [stamp, setStamp] = useState(Date.now());
  const range = useMemo(() => rangeOf(choice, custom, stamp), [choice, custom, stamp]);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Usage and spend">
        <button type="button" class="button" onClick={() => setStamp(Date.now())}>
          Reload
        </button>
      </PageHeader>
      <p class="muted">Requests, tokens and spend (the price table applied when each request was stored), per UTC hour or day.</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Range and measure">
        <label>
          Range{' '}
          <select
            value={choice}
            onChange={(e) => {
              setChoice((e.target as HTMLSelectElement).value as RangeChoice);
              setStamp(Date.now());
            }}
          >
            <option value="24h">Last 24 hours (hourly)</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="custom">Choose days…</option>
          </select>
        </label>
        {choice === 'custom' ? (
          <>
            <label>
              From (UTC) <input type="date" value={custom.from} onChange={(e) => setCustom({ ...custom, from: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              To (UTC) <input type="date" value={custom.to} onChange={(e) => setCustom({ ...custom, to: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              Per{' '}
              <select value={custom.granularity} onChange={(e) => setCustom({ ...custom, granularity: (e.target as HTMLSelectElement).value as 'hour' | 'day' })}>
                <option value="day">day</option>
                <option value="hour">hour</option>
              </select>
            </label>
          </>
        ) : null}
        <label>
          Show{' '}
          <select value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value as Metric)}>
            {(Object.keys(METRIC_NAMES) as Metric[]).map((m) => (
              <option value={m}>{METRIC_NAMES[m]}</option>
            ))}
          </select>
        </label>
      </form>
      {typeof range === 'string' ? (
        <div class="notice notice-error" role="alert">
          {range}
        </div>
      ) : (
        DIMENSIONS.map((d) => <UsageChart key={d.by} by={d.by} title={d.title} range={range} stamp={stamp} metric={metric} tenantId={session.role === 'operator' ? session.tenant.id : undefined} />)
      )}
    </section>
  );
}

/** `stamp`: when the page was last (re)loaded; a new one reloads the chart. */
function UsageChart({ by, title, range, stamp, metric, tenantId }: { by: UsageSeriesDimension; title: string; range: Range; stamp: number; metric: Metric; tenantId?: string }) {
  const { session } = useSession();
  const series = useResource(
    (signal) =>
      session.api.get<UsageSeries>(
        'admin/v1/usage/series',
        { by, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), granularity: range.granularity, tenant: tenantId },
        signal,
      ),
    [session.api, by, range.from, range.to, range.granularity, tenantId, stamp],
  );
  const data = useMemo(() => (series.data ? pivot(series.data, metric) : null), [series.data, metric]);
  const format = metric === 'cost' ? usd : integer;
  const bucketLabel = (iso: string) => (range.granularity === 'hour' ? `${iso.slice(5, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10));
  const exportCsv = () => {
    if (!series.data) return;
    const s = series.data;
    const csv = toCsv(s.rows, [
      { header: range.granularity === 'hour' ? 'hour (UTC)' : 'day (UTC)', value: (r) => r.bucket },
      { header: by, value: (r) => groupName(by, r) },
      { header: 'key', value: (r) => r.key },
      { header: 'requests', value: (r) => r.requests },
      { header: 'errors', value: (r) => r.errors },
      { header: 'prompt tokens', value: (r) => r.promptTokens },
      { header: 'completion tokens', value: (r) => r.completionTokens },
      { header: 'spend (USD)', value: (r) => r.costUsd },
    ]);
    download(`chatgate-usage-by-${by}-${utcDay(range.from)}-${utcDay(range.to - 1)}.csv`, csv);
  };
  const headingId = `usage-${by}`;
  return (
    <section class="card usage-chart" aria-labelledby={headingId} data-by={by}>
      <div class="card-head">
        <h2 id={headingId}>{title}</h2>
        <button type="button" class="button" disabled={!series.data?.rows.length} onClick={exportCsv}>
          Download CSV
        </button>
      </div>
      <Loaded resource={series} what="usage" failure="Could not load the usage" isEmpty={!data || data.groups.length === 0} empty={<p>No requests in this range.</p>}>
        {() =>
          data && (
            <>
              <StackedBars data={data} label={`${METRIC_NAMES[metric]} ${title.toLowerCase()}, per ${range.granularity}`} format={format} bucketLabel={bucketLabel} />
              <DataTable label={`Usage ${title.toLowerCase()}`} class="numbers" columns={groupColumns(title)} rows={data.groups} rowKey={(g) => g.id} rowData={(g) => ({ 'data-group': g.name })} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
