import { useState } from 'preact/hooks';
import type { AccountList, AccountView, ImportAccountsResult, ImportLineResult } from '../api/types';
import { actionsColumn, DataTable, type Column } from '../components/data-table';
import { Modal, useConfirm } from '../components/dialog';
import { ActionNotices, Badge, ErrorNotice, FormActions, Loaded, PageHeader, Pager } from '../components/ui';
import { UsageWindowsCell } from '../components/usage-windows';
import { accountName, canRefresh, DEFAULT_ACCOUNT_KINDS, describeStatus, kindName } from '../lib/account-status';
import { queryEnumOf } from '../lib/api-doc';
import { dateTime, relativeTime, utcTitle } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

const STATUSES: Array<[string, string]> = [
  ['', 'Any status'],
  ['active', 'Active'],
  ['cooling', 'Cooling'],
  ['needs_token', 'Needs a new login'],
  ['disabled', 'Disabled'],
];
const PAGE_SIZE = 50;
/** Accounts change on their own (cool-downs, refreshes): the list is read again this often. */
const POLL_MS = 5000;

export function AccountsPage() {
  const { session } = useSession();
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  const [importing, setImporting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  // Every kind the console knows (Codex logins included) and any other the API documents. A kind this
  // gateway does not have yet has no accounts: the list is empty without asking (the API would refuse the value).
  const documented = queryEnumOf(session.doc, '/admin/v1/accounts', 'get', 'kind');
  const kinds = [...DEFAULT_ACCOUNT_KINDS, ...documented.filter((k) => !DEFAULT_ACCOUNT_KINDS.includes(k))];
  const unknownKind = Boolean(kind && documented.length && !documented.includes(kind));

  const list = useResource(
    (signal) =>
      unknownKind
        ? Promise.resolve<AccountList>({ data: [], page: 1, limit: PAGE_SIZE, total: 0, hasMore: false })
        : session.api.get<AccountList>('admin/v1/accounts', { status, kind, page, limit: PAGE_SIZE }, signal),
    [session.api, status, kind, page, unknownKind],
    { pollMs: POLL_MS },
  );

  const act = async (account: AccountView, what: 'refresh' | 'disable' | 'enable' | 'delete') => {
    const name = accountName(account);
    if (what === 'delete') {
      const ok = await confirm({ title: 'Delete account', message: <p>Delete {name} and its tokens? Requests stop using it at once; this cannot be undone.</p>, confirm: 'Delete', danger: true });
      if (!ok) return;
    }
    if (what === 'disable') {
      const ok = await confirm({ title: 'Disable account', message: <p>Take {name} out of the pool? Requests stop using it until it is enabled.</p>, confirm: 'Disable', danger: true });
      if (!ok) return;
    }
    setBusy(account.id);
    setActionError(null);
    setDone(null);
    try {
      if (what === 'delete') await session.api.delete(`admin/v1/accounts/${encodeURIComponent(account.id)}`);
      else await session.api.post(`admin/v1/accounts/${encodeURIComponent(account.id)}/${what}`);
      setDone({ refresh: `Refreshed ${name}.`, disable: `Disabled ${name}.`, enable: `Enabled ${name}.`, delete: `Deleted ${name}.` }[what]);
      await list.reload();
    } catch (err) {
      setActionError(err as Error);
    } finally {
      setBusy(null);
    }
  };

  const accounts = list.data?.data ?? [];
  const filtered = Boolean(status || kind);
  const accountColumns: Array<Column<AccountView>> = [
    {
      name: 'Account',
      cell: (account) => (
        <>
          <div class="strong">{accountName(account)}</div>
          <div class="muted small">
            {kindName(account.kind)}
            {account.platform ? ` · ${account.platform.baseUrl}` : ''}
            {account.tokens.access && account.tokens.access.hint !== accountName(account) ? ` · ${account.tokens.access.hint}` : ''}
          </div>
        </>
      ),
    },
    {
      name: 'Status',
      cell: (account) => {
        const s = describeStatus(account);
        return (
          <>
            <Badge tone={s.tone}>{s.label}</Badge>
            {s.detail ? <div class="muted small">{s.detail}</div> : null}
          </>
        );
      },
    },
    { name: 'Plan', cell: (account) => account.plan ?? '—' },
    { name: 'Last refresh', cell: (account) => relativeTime(account.lastRefreshAt), title: (account) => utcTitle(account.lastRefreshAt) },
    {
      name: 'Last error',
      cell: (account) =>
        account.lastError ? (
          <>
            <div class="error-text">{account.lastError.message}</div>
            <div class="muted small" title={utcTitle(account.lastError.at)}>
              {account.lastError.at ? dateTime(account.lastError.at) : ''}
            </div>
          </>
        ) : (
          '—'
        ),
    },
    { name: 'Usage windows', cell: (account) => <UsageWindowsCell account={account as unknown as Record<string, unknown>} /> },
    actionsColumn((account) => (
      <>
        {canRefresh(account) ? (
          <button type="button" class="button" disabled={busy === account.id} onClick={() => act(account, 'refresh')}>
            Refresh now
          </button>
        ) : null}
        {account.status === 'disabled' ? (
          <button type="button" class="button" disabled={busy === account.id} onClick={() => act(account, 'enable')}>
            Enable
          </button>
        ) : (
          <button type="button" class="button" disabled={busy === account.id} onClick={() => act(account, 'disable')}>
            Disable
          </button>
        )}
        <button type="button" class="button button-danger" disabled={busy === account.id} onClick={() => act(account, 'delete')}>
          Delete
        </button>
      </>
    )),
  ];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Accounts">
        <button type="button" class="button button-primary" onClick={() => setImporting(true)}>
          Import accounts
        </button>
      </PageHeader>
      <p class="muted">ChatGPT logins, Codex logins and API keys of this tenant. The list updates every few seconds.</p>
      <div class="filters">
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus((e.target as HTMLSelectElement).value);
              setPage(1);
            }}
          >
            {STATUSES.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          Kind{' '}
          <select
            value={kind}
            onChange={(e) => {
              setKind((e.target as HTMLSelectElement).value);
              setPage(1);
            }}
          >
            <option value="">Any kind</option>
            {kinds.map((k) => (
              <option value={k}>{kindName(k)}s</option>
            ))}
          </select>
        </label>
      </div>
      <ActionNotices error={actionError} done={done} />
      <Loaded
        resource={list}
        what="accounts"
        failure="Could not load the accounts"
        isEmpty={accounts.length === 0}
        empty={
          <>
            {filtered ? (
              <p>No accounts match these filters.</p>
            ) : (
              <>
                <p>No accounts yet.</p>
                <p>
                  Import ChatGPT access, refresh or session tokens, Codex logins or API keys (<code>sk-… [base URL]</code>), one a line.
                </p>
                <button type="button" class="button button-primary" onClick={() => setImporting(true)}>
                  Import accounts
                </button>
              </>
            )}
          </>
        }
      >
        {() => <DataTable label="Accounts" columns={accountColumns} rows={accounts} rowKey={(account) => account.id} rowData={(account) => ({ 'data-account-id': account.id })} />}
      </Loaded>
      {list.data ? <Pager page={list.data.page} hasMore={list.data.hasMore} total={list.data.total} onPage={setPage} /> : null}
      {importing ? (
        <ImportDialog
          onClose={() => {
            setImporting(false);
            void list.reload();
          }}
        />
      ) : null}
      {confirmDialog}
    </section>
  );
}

const IMPORT_TONES: Record<string, string> = { created: 'ok', updated: 'ok', skipped: 'off', error: 'warning' };

const IMPORT_COLUMNS: Array<Column<ImportLineResult>> = [
  { name: 'Line', cell: (r) => r.line },
  { name: 'Result', cell: (r) => <Badge tone={IMPORT_TONES[r.status] ?? 'off'}>{r.status}</Badge> },
  { name: 'Account', cell: (r) => r.email ?? r.accountId ?? '—' },
  { name: 'Detail', cell: (r) => r.error ?? (r.reason === 'comment' ? 'comment line' : r.reason === 'duplicate' ? 'same token as an earlier line' : '') },
];

/** Paste or pick a file; the API answers one result per line, shown as it answers them. */
function ImportDialog({ onClose }: { onClose: () => void }) {
  const { session } = useSession();
  const [text, setText] = useState('');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [result, setResult] = useState<ImportAccountsResult | null>(null);

  const readFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (file) setText(await file.text());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setRunning(true);
    setError(null);
    try {
      setResult(await session.api.post<ImportAccountsResult>('admin/v1/accounts/import', { text }));
      // The tokens are in the accounts now; they need not stay on the screen.
      setText('');
    } catch (err) {
      setError(err as Error);
    } finally {
      setRunning(false);
    }
  };
  return (
    <Modal title="Import accounts" onClose={onClose} wide>
      <form onSubmit={submit} class="form">
        <label for="import-text">Tokens, one a line</label>
        <textarea
          id="import-text"
          rows={8}
          spellcheck={false}
          autocomplete="off"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          placeholder={'eyJhbGciOi…          (access token)\nrefresh-token…        (refresh token)\ntoken,workspace-id    (a Team workspace)\nsk-… https://api.openai.com/v1   (an API key)\n# comment lines are skipped'}
        />
        <label>
          Or read a file{' '}
          <input type="file" accept=".txt,.csv,text/plain" onChange={(e) => void readFile(e.target as HTMLInputElement)} />
        </label>
        <FormActions onCancel={onClose} cancel="Close" submit={running ? 'Importing…' : 'Import'} disabled={running || !text.trim()} />
      </form>
      <ErrorNotice error={error} title="The import was refused" />
      {result ? (
        <div class="import-results">
          <p role="status">
            {result.counts.created} created, {result.counts.updated} updated, {result.counts.skipped} skipped, {result.counts.error} failed · {result.usableCount} usable accounts now
          </p>
          <DataTable label="Import results" responsive={false} columns={IMPORT_COLUMNS} rows={result.results} rowKey={(r) => r.line} rowData={(r) => ({ 'data-line': r.line })} />
        </div>
      ) : null}
    </Modal>
  );
}
