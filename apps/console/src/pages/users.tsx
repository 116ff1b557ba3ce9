import { useState } from 'preact/hooks';
import type { AccountList, KeyCreated, KeyList, KeyView, UserList, UserView, WireLimit } from '../api/types';
import { actionsColumn, DataTable, type Column } from '../components/data-table';
import { Modal, useConfirm } from '../components/dialog';
import { BudgetInput, budgetOf, budgetText, ExtraFieldInput, extraTexts, fieldLabel, LimitsEditor, type BudgetText } from '../components/fields';
import { ActionNotices, Badge, CopyButton, ErrorNotice, FormActions, Loaded, Notice, PageHeader, Pager } from '../components/ui';
import { accountName } from '../lib/account-status';
import { extraFieldsOf, formatFieldValue, parseFieldInput, type ExtraField } from '../lib/api-doc';
import { dateTime, fromLocalInput, relativeTime, toLocalInput, usd, utcTitle } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';

/** Body fields the user form edits with its own inputs; any other field the API documents gets a plain one. */
const USER_FIELDS = ['name', 'status', 'expiresAt', 'isolated_session', 'limits', 'chatgpt_list', 'budget'];
const KEY_FIELDS = ['kind', 'user', 'name', 'expiresAt', 'budget'];
const PAGE_SIZE = 50;

type Json = Record<string, unknown>;

function budgetWords(budget: UserView['budget']): string {
  if (!budget) return 'none';
  return `${usd(budget.amountUsd)} ${budget.period === 'none' ? 'in all' : `per ${budget.period}`}`;
}

/** The extra fields' texts into body values; the first field that does not parse is reported. */
function extraValues(fields: ExtraField[], texts: Record<string, string>): { values: Json; error?: string } {
  const values: Json = {};
  for (const field of fields) {
    const parsed = parseFieldInput(field, texts[field.name] ?? '');
    if (parsed.error) return { values, error: `${fieldLabel(field.name)} ${parsed.error}.` };
    if ('value' in parsed) values[field.name] = parsed.value;
  }
  return { values };
}

export function UsersPage() {
  const { session } = useSession();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<UserView | 'new' | null>(null);
  const [keysOf, setKeysOf] = useState<UserView | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  const users = useResource((signal) => session.api.get<UserList>('admin/v1/users', { q, status, page, limit: PAGE_SIZE }, signal), [session.api, q, status, page]);
  const shownExtras = extraFieldsOf(session.doc, '/admin/v1/users', 'post', USER_FIELDS);

  const remove = async (user: UserView) => {
    const ok = await confirm({ title: 'Delete user', message: <p>Delete {user.name} and every key of theirs? Their requests are refused from now on.</p>, confirm: 'Delete', danger: true });
    if (!ok) return;
    setError(null);
    try {
      await session.api.delete(`admin/v1/users/${encodeURIComponent(user.id)}`);
      setDone(`Deleted ${user.name}.`);
      if (keysOf?.id === user.id) setKeysOf(null);
      await users.reload();
    } catch (err) {
      setError(err as Error);
    }
  };

  const list = users.data?.data ?? [];
  const userColumns: Array<Column<UserView>> = [
    {
      name: 'Name',
      cell: (user) => (
        <>
          <div class="strong">{user.name}</div>
          {user.isolated_session ? <div class="muted small">isolated conversations</div> : null}
        </>
      ),
    },
    { name: 'Status', cell: (user) => <Badge tone={user.status === 'active' ? 'ok' : 'off'}>{user.status}</Badge> },
    { name: 'Expires', cell: (user) => (user.expiresAt ? dateTime(user.expiresAt) : 'never'), title: (user) => utcTitle(user.expiresAt) },
    { name: 'Limits', cell: (user) => (user.limits.length ? user.limits.map((l) => `${l.model_name}: ${l.limit_count}/${l.every_minute} min`).join(', ') : 'none') },
    { name: 'Budget', cell: (user) => budgetWords(user.budget) },
    { name: 'Accounts', cell: (user) => (user.chatgpt_list === 'all' ? 'all' : `${user.chatgpt_list.length} chosen`) },
    ...shownExtras.map((f): Column<UserView> => ({ name: fieldLabel(f.name), cell: (user) => formatFieldValue(f, (user as unknown as Json)[f.name]) || '—' })),
    actionsColumn((user) => (
      <>
        <button type="button" class="button" onClick={() => setKeysOf(user)} aria-label={`Keys of ${user.name}`}>
          Keys
        </button>
        <button type="button" class="button" onClick={() => setEditing(user)} aria-label={`Edit ${user.name}`}>
          Edit
        </button>
        <button type="button" class="button button-danger" onClick={() => remove(user)} aria-label={`Delete ${user.name}`}>
          Delete
        </button>
      </>
    )),
  ];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Users and keys">
        <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
          New user
        </button>
      </PageHeader>
      <div class="filters">
        <label>
          Name{' '}
          <input
            type="search"
            value={q}
            placeholder="contains…"
            onInput={(e) => {
              setQ((e.target as HTMLInputElement).value);
              setPage(1);
            }}
          />
        </label>
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus((e.target as HTMLSelectElement).value);
              setPage(1);
            }}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
      </div>
      <ActionNotices error={error} done={done} />
      <Loaded resource={users} what="users" failure="Could not load the users" isEmpty={list.length === 0} empty={<p>{q || status ? 'No users match.' : 'No users yet. A user holds gateway keys, limits and a budget.'}</p>}>
        {() => <DataTable label="Users" columns={userColumns} rows={list} rowKey={(user) => user.id} rowData={(user) => ({ 'data-user': user.name })} />}
      </Loaded>
      {users.data ? <Pager page={users.data.page} hasMore={users.data.hasMore} total={users.data.total} onPage={setPage} /> : null}
      {keysOf ? <UserKeys user={keysOf} onClose={() => setKeysOf(null)} /> : null}
      {editing ? (
        <UserForm
          user={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async (user, created) => {
            setEditing(null);
            setDone(created ? `Created ${user.name}.` : `Saved ${user.name}.`);
            await users.reload();
            if (created) setKeysOf(user);
          }}
        />
      ) : null}
      {confirmDialog}
    </section>
  );
}

function UserForm({ user, onClose, onSaved }: { user: UserView | null; onClose: () => void; onSaved: (user: UserView, created: boolean) => void }) {
  const { session } = useSession();
  const extras = extraFieldsOf(session.doc, user ? '/admin/v1/users/{id}' : '/admin/v1/users', user ? 'patch' : 'post', USER_FIELDS);
  const [name, setName] = useState(user?.name ?? '');
  const [status, setStatus] = useState<UserView['status']>(user?.status ?? 'active');
  const [expires, setExpires] = useState(toLocalInput(user?.expiresAt));
  const [isolated, setIsolated] = useState(user?.isolated_session ?? false);
  const [limits, setLimits] = useState<WireLimit[]>(user?.limits ?? []);
  const [budget, setBudget] = useState<BudgetText>(budgetText(user?.budget));
  const [allAccounts, setAllAccounts] = useState(user ? user.chatgpt_list === 'all' : true);
  const [chosen, setChosen] = useState<string[]>(user && user.chatgpt_list !== 'all' ? user.chatgpt_list : []);
  const [texts, setTexts] = useState(extraTexts(extras, user as unknown as Json | null));
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);
  const accounts = useResource((signal) => session.api.get<AccountList>('admin/v1/accounts', { limit: 200 }, signal), [session.api]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const money = budgetOf(budget);
    if (money === 'invalid') return setError(new Error('The budget must be a number of USD, or empty for none.'));
    const extra = extraValues(extras, texts);
    if (extra.error) return setError(new Error(extra.error));
    const body = {
      name,
      status,
      expiresAt: fromLocalInput(expires),
      isolated_session: isolated,
      limits,
      chatgpt_list: allAccounts ? 'all' : chosen,
      budget: money,
      ...extra.values,
    };
    setSaving(true);
    try {
      const saved = user ? await session.api.patch<UserView>(`admin/v1/users/${encodeURIComponent(user.id)}`, body) : await session.api.post<UserView>('admin/v1/users', body);
      onSaved(saved, !user);
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };
  const toggle = (id: string, on: boolean) => setChosen((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  return (
    <Modal title={user ? `Edit ${user.name}` : 'New user'} onClose={onClose} wide>
      <form class="form" onSubmit={submit}>
        <div class="field">
          <label for="user-name">Name</label>
          <input id="user-name" type="text" required maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="row">
          <div class="field">
            <label for="user-status">Status</label>
            <select id="user-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as UserView['status'])}>
              <option value="active">Active</option>
              <option value="disabled">Disabled</option>
            </select>
          </div>
          <div class="field">
            <label for="user-expires">Expires</label>
            <input id="user-expires" type="datetime-local" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} aria-describedby="user-expires-hint" />
            <small id="user-expires-hint" class="muted">
              Empty: never. Your local time.
            </small>
          </div>
        </div>
        <label class="inline">
          <input type="checkbox" checked={isolated} onChange={(e) => setIsolated((e.target as HTMLInputElement).checked)} /> Isolated conversations (the user sees only their own)
        </label>
        <LimitsEditor limits={limits} onChange={setLimits} />
        <BudgetInput value={budget} onChange={setBudget} idPrefix="user" />
        <fieldset class="field">
          <legend>Accounts the user's keys may use</legend>
          <label class="inline">
            <input type="radio" name="accounts" checked={allAccounts} onChange={() => setAllAccounts(true)} /> All of the tenant's accounts
          </label>
          <label class="inline">
            <input type="radio" name="accounts" checked={!allAccounts} onChange={() => setAllAccounts(false)} /> Only these:
          </label>
          {!allAccounts ? (
            <div class="checklist">
              <ErrorNotice error={accounts.error} title="Could not load the accounts" />
              {(accounts.data?.data ?? []).map((a) => (
                <label class="inline" key={a.id}>
                  <input type="checkbox" checked={chosen.includes(a.id) || (a.email !== null && chosen.includes(a.email))} onChange={(e) => toggle(a.id, (e.target as HTMLInputElement).checked)} /> {accountName(a)}
                </label>
              ))}
              {accounts.data && accounts.data.data.length === 0 ? <p class="muted small">The tenant has no accounts yet.</p> : null}
            </div>
          ) : null}
        </fieldset>
        {extras.map((field) => (
          <ExtraFieldInput field={field} idPrefix="user" text={texts[field.name] ?? ''} onText={(text) => setTexts({ ...texts, [field.name]: text })} />
        ))}
        <ErrorNotice error={error} title="Not saved" />
        <FormActions onCancel={onClose} submit={saving ? 'Saving…' : user ? 'Save' : 'Create user'} disabled={saving} />
      </form>
    </Modal>
  );
}

/** A user's gateway keys: create (the key is shown once), edit name, expiry and budget, revoke. */
function UserKeys({ user, onClose }: { user: UserView; onClose: () => void }) {
  const { session } = useSession();
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<KeyView | null>(null);
  const [created, setCreated] = useState<KeyCreated | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  const keys = useResource((signal) => session.api.get<KeyList>('admin/v1/keys', { userId: user.id, kind: 'user', revoked: showRevoked ? 'true' : 'false', limit: 200 }, signal), [session.api, user.id, showRevoked]);

  const revoke = async (key: KeyView) => {
    const ok = await confirm({ title: 'Revoke key', message: <p>Revoke {key.name || key.prefix}? Every request with it is refused from now on; this cannot be undone.</p>, confirm: 'Revoke', danger: true });
    if (!ok) return;
    setError(null);
    try {
      await session.api.post(`admin/v1/keys/${encodeURIComponent(key.id)}/revoke`);
      await keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };

  const list = keys.data?.data ?? [];
  const keyColumns: Array<Column<KeyView>> = [
    {
      name: 'Key',
      cell: (key) => (
        <>
          <code>{key.prefix}</code> {key.revokedAt ? <Badge tone="off">revoked</Badge> : null}
        </>
      ),
    },
    { name: 'Name', cell: (key) => key.name || '—' },
    { name: 'Expires', cell: (key) => (key.expiresAt ? dateTime(key.expiresAt) : 'never'), title: (key) => utcTitle(key.expiresAt) },
    { name: 'Budget', cell: (key) => budgetWords(key.budget) },
    { name: 'Created', cell: (key) => relativeTime(key.createdAt), title: (key) => utcTitle(key.createdAt) },
    actionsColumn((key) =>
      key.revokedAt ? null : (
        <>
          <button type="button" class="button" onClick={() => setEditing(key)} aria-label={`Edit key ${key.prefix}`}>
            Edit
          </button>
          <button type="button" class="button button-danger" onClick={() => revoke(key)} aria-label={`Revoke key ${key.prefix}`}>
            Revoke
          </button>
        </>
      ),
    ),
  ];
  return (
    <section class="card" aria-labelledby="keys-title" id="user-keys">
      <div class="card-head">
        <h2 id="keys-title">Keys of {user.name}</h2>
        <div class="page-actions">
          <label class="inline">
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked((e.target as HTMLInputElement).checked)} /> Show revoked
          </label>
          <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
            New key
          </button>
          <button type="button" class="button button-quiet" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <ErrorNotice error={error} title="That did not work" />
      <Loaded resource={keys} what="keys" failure="Could not load the keys" isEmpty={list.length === 0} empty={<p>{user.name} has no {showRevoked ? '' : 'live '}keys.</p>}>
        {() => <DataTable label={`Keys of ${user.name}`} columns={keyColumns} rows={list} rowKey={(key) => key.id} rowData={(key) => ({ 'data-key-prefix': key.prefix })} />}
      </Loaded>
      {creating || editing ? (
        <KeyForm
          user={user}
          keyView={editing}
          onClose={() => {
            setCreating(false);
            setEditing(null);
          }}
          onSaved={async (key) => {
            setCreating(false);
            setEditing(null);
            if ('key' in key) setCreated(key as KeyCreated);
            await keys.reload();
          }}
        />
      ) : null}
      {created ? <CreatedKey created={created} onClose={() => setCreated(null)} /> : null}
      {confirmDialog}
    </section>
  );
}

/** The whole key, once: it is stored only as a hash, so this is the only time anyone sees it. */
export function CreatedKey({ created, onClose }: { created: KeyCreated; onClose: () => void }) {
  return (
    <Modal title="Key created" onClose={onClose}>
      <div class="modal-body">
        <Notice tone="warning">Copy the key now: it is shown only this once.</Notice>
        <label for="created-key">{created.name || 'New key'}</label>
        <div class="row">
          <input id="created-key" class="mono" type="text" readOnly value={created.key} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <CopyButton text={created.key} />
        </div>
      </div>
      <div class="modal-actions">
        <button type="button" class="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}

function KeyForm({ user, keyView, onClose, onSaved }: { user: UserView; keyView: KeyView | null; onClose: () => void; onSaved: (key: KeyView | KeyCreated) => void }) {
  const { session } = useSession();
  const extras = extraFieldsOf(session.doc, keyView ? '/admin/v1/keys/{id}' : '/admin/v1/keys', keyView ? 'patch' : 'post', KEY_FIELDS);
  const [name, setName] = useState(keyView?.name ?? '');
  const [expires, setExpires] = useState(toLocalInput(keyView?.expiresAt));
  const [budget, setBudget] = useState<BudgetText>(budgetText(keyView?.budget));
  const [texts, setTexts] = useState(extraTexts(extras, keyView as unknown as Json | null));
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const money = budgetOf(budget);
    if (money === 'invalid') return setError(new Error('The budget must be a number of USD, or empty for none.'));
    const extra = extraValues(extras, texts);
    if (extra.error) return setError(new Error(extra.error));
    const body = { name, expiresAt: fromLocalInput(expires), budget: money, ...extra.values };
    setSaving(true);
    try {
      onSaved(keyView ? await session.api.patch<KeyView>(`admin/v1/keys/${encodeURIComponent(keyView.id)}`, body) : await session.api.post<KeyCreated>('admin/v1/keys', { kind: 'user', user: user.id, ...body }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal title={keyView ? `Edit key ${keyView.prefix}` : `New key for ${user.name}`} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <div class="field">
          <label for="key-name">Name</label>
          <input id="key-name" type="text" maxLength={100} value={name} placeholder="laptop, CI, …" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="key-expires">Expires</label>
          <input id="key-expires" type="datetime-local" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />
          <small class="muted">Empty: never.</small>
        </div>
        <BudgetInput value={budget} onChange={setBudget} idPrefix="key" />
        {extras.map((field) => (
          <ExtraFieldInput field={field} idPrefix="key" text={texts[field.name] ?? ''} onText={(text) => setTexts({ ...texts, [field.name]: text })} />
        ))}
        <ErrorNotice error={error} title="Not saved" />
        <FormActions onCancel={onClose} submit={saving ? 'Saving…' : keyView ? 'Save' : 'Create key'} disabled={saving} />
      </form>
    </Modal>
  );
}
