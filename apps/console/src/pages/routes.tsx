import { useEffect, useState } from 'preact/hooks';
import type { ModelRoute, ModelRoutesView } from '../api/types';
import { actionsColumn, DataTable, type Column } from '../components/data-table';
import { useConfirm } from '../components/dialog';
import { ActionNotices, Badge, ErrorNotice, Loading, PageHeader } from '../components/ui';
import { bodySchemaOf, enumValuesOf, type JsonSchema, type OpenApiDoc } from '../lib/api-doc';
import { UPSTREAM_NAMES } from '../lib/series';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

const FALLBACK_UPSTREAMS = ['chatgpt', 'platform'];

/** The upstream kinds a rule may name, as the API's document lists them (Codex appears when the API has it). */
function upstreamsOf(doc: OpenApiDoc | null): string[] {
  const routes = (bodySchemaOf(doc, '/admin/v1/routes', 'post')?.properties as Record<string, JsonSchema> | undefined)?.routes;
  const list = (routes?.anyOf as JsonSchema[] | undefined)?.find((s) => s.type === 'array') ?? routes;
  const upstream = ((list?.items as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined)?.upstream;
  const values = enumValuesOf(upstream);
  return values.length ? values : FALLBACK_UPSTREAMS;
}

export function RoutesPage() {
  const { session } = useSession();
  const upstreams = upstreamsOf(session.doc);
  const view = useResource((signal) => session.api.get<ModelRoutesView>('admin/v1/routes', {}, signal), [session.api]);
  const [rows, setRows] = useState<ModelRoute[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  useEffect(() => {
    if (view.data) setRows(view.data.routes.map((r) => ({ ...r })));
  }, [view.data]);

  const save = async (routes: ModelRoute[] | null) => {
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      await session.api.post<ModelRoutesView>('admin/v1/routes', { routes });
      setSaved(routes ? 'Routing table saved; gateways pick it up at once.' : 'Back to the default table.');
      await view.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };
  const reset = async () => {
    if (await confirm({ title: 'Reset the routing table', message: <p>Replace this tenant's table with the default one?</p>, confirm: 'Reset', danger: true })) await save(null);
  };
  const set = (i: number, patch: Partial<ModelRoute>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...rows];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    setRows(next);
  };
  const ruleColumns: Array<Column<ModelRoute>> = [
    { name: '#', cell: (_rule, i) => i + 1 },
    {
      name: 'Model or glob',
      cell: (rule, i) => <input type="text" required aria-label={`Rule ${i + 1} model`} value={rule.model} onInput={(e) => set(i, { model: (e.target as HTMLInputElement).value })} />,
    },
    {
      name: 'Upstream',
      cell: (rule, i) => (
        <select aria-label={`Rule ${i + 1} upstream`} value={rule.upstream} onChange={(e) => set(i, { upstream: (e.target as HTMLSelectElement).value as ModelRoute['upstream'] })}>
          {upstreams.map((u) => (
            <option value={u}>{UPSTREAM_NAMES[u] ?? u}</option>
          ))}
        </select>
      ),
    },
    actionsColumn(
      (_rule, i) => (
        <>
          <button type="button" class="button button-quiet" disabled={i === 0} aria-label={`Move rule ${i + 1} up`} onClick={() => move(i, -1)}>
            ↑
          </button>
          <button type="button" class="button button-quiet" disabled={i === rows.length - 1} aria-label={`Move rule ${i + 1} down`} onClick={() => move(i, 1)}>
            ↓
          </button>
          <button type="button" class="button button-quiet" aria-label={`Remove rule ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </>
      ),
      'Order and remove',
    ),
  ];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Routing table">
        <span>Tenant {session.tenant.slug}</span>
      </PageHeader>
      <p class="muted">
        Which upstream serves a model: the first rule whose glob matches (<code>*</code> any run, <code>?</code> one character) wins; models no rule names go to ChatGPT logins.
      </p>
      <ErrorNotice error={view.error} title="Could not load the routing table" />
      <ActionNotices error={error} done={saved} failure="Not saved" />
      {view.loading ? (
        <Loading what="the routing table" />
      ) : (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void save(rows);
          }}
        >
          {view.data?.isDefault ? <Badge tone="off">default table</Badge> : <Badge tone="ok">this tenant's own table</Badge>}
          <DataTable label="Routing rules" responsive={false} columns={ruleColumns} rows={rows} rowKey={(_rule, i) => i} />
          {rows.length === 0 ? <p class="muted">No rules: every model goes to ChatGPT logins.</p> : null}
          <div class="modal-actions">
            <button type="button" class="button" onClick={() => setRows([...rows, { model: '', upstream: (upstreams.includes('platform') ? 'platform' : upstreams[0]) as ModelRoute['upstream'] }])}>
              Add a rule
            </button>
            <button type="button" class="button" disabled={saving || view.data?.isDefault} onClick={reset}>
              Reset to default
            </button>
            <button type="submit" class="button button-primary" disabled={saving}>
              Save
            </button>
          </div>
        </form>
      )}
      {confirmDialog}
    </section>
  );
}
