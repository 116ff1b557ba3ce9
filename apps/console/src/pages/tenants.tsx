import { useState } from 'preact/hooks';
import type { KeyCreated, KeyList, KeyView, TenantList, TenantView } from '../api/types';
import { actionsColumn, DataTable, type Column } from '../components/data-table';
import { Modal, useConfirm } from '../components/dialog';
import { ActionNotices, Badge, ErrorNotice, FormActions, Loaded, PageHeader } from '../components/ui';
import { dateTime, relativeTime, utcTitle } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../session';
import { CreatedKey } from './users';

/** Tenants and their admin keys: the operator's alone. */
export function TenantsPage() {
  const { session, reloadTenants } = useSession();
  const tenants = useResource((signal) => session.api.get<TenantList>('admin/v1/tenants', { limit: 200 }, signal), [session.api]);
  const [editing, setEditing] = useState<TenantView | 'new' | null>(null);
  const [keysOf, setKeysOf] = useState<TenantView | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirmDialog, confirm] = useConfirm();

  const remove = async (tenant: TenantView) => {
    let cascade = false;
    const ok = await confirm({
      title: `Delete tenant ${tenant.slug}`,
      message: (
        <>
          <p>Delete {tenant.name}? A tenant that still has users, keys or accounts is refused unless everything of it goes too.</p>
          <label class="inline">
            <input type="checkbox" onChange={(e) => (cascade = (e.target as HTMLInputElement).checked)} /> Delete its users, keys and accounts too
          </label>
        </>
      ),
      confirm: 'Delete tenant',
      danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await session.api.delete(`admin/v1/tenants/${encodeURIComponent(tenant.id)}`, { cascade: cascade ? 'true' : 'false' });
      setDone(`Deleted ${tenant.slug}.`);
      if (keysOf?.id === tenant.id) setKeysOf(null);
      await Promise.all([tenants.reload(), reloadTenants()]);
    } catch (err) {
      setError(err as Error);
    }
  };

  const list = tenants.data?.data ?? [];
  const tenantColumns: Array<Column<TenantView>> = [
    {
      name: 'Slug',
      cell: (tenant) => (
        <>
          <code>{tenant.slug}</code> {tenant.id === session.tenant.id ? <Badge tone="ok">selected</Badge> : null}
        </>
      ),
    },
    { name: 'Name', cell: (tenant) => tenant.name },
    { name: 'Created', cell: (tenant) => dateTime(tenant.createdAt), title: (tenant) => utcTitle(tenant.createdAt) },
    actionsColumn((tenant) => (
      <>
        <button type="button" class="button" onClick={() => setKeysOf(tenant)} aria-label={`Admin keys of ${tenant.slug}`}>
          Admin keys
        </button>
        <button type="button" class="button" onClick={() => setEditing(tenant)} aria-label={`Rename ${tenant.slug}`}>
          Rename
        </button>
        {tenant.slug === 'default' ? null : (
          <button type="button" class="button button-danger" onClick={() => remove(tenant)} aria-label={`Delete ${tenant.slug}`}>
            Delete
          </button>
        )}
      </>
    )),
  ];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Tenants">
        <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
          New tenant
        </button>
      </PageHeader>
      <p class="muted">Each tenant has its own accounts, users, keys and routing table. A tenant admin key manages one tenant and sees no other.</p>
      <ActionNotices error={error} done={done} />
      <Loaded resource={tenants} what="tenants" failure="Could not load the tenants" isEmpty={list.length === 0} empty={<p>No tenants.</p>}>
        {() => <DataTable label="Tenants" columns={tenantColumns} rows={list} rowKey={(tenant) => tenant.id} rowData={(tenant) => ({ 'data-tenant': tenant.slug })} />}
      </Loaded>
      {keysOf ? <TenantAdminKeys tenant={keysOf} onClose={() => setKeysOf(null)} /> : null}
      {editing ? (
        <TenantForm
          tenant={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async (tenant, created) => {
            setEditing(null);
            setDone(created ? `Created ${tenant.slug}.` : `Renamed ${tenant.slug}.`);
            await Promise.all([tenants.reload(), reloadTenants()]);
          }}
        />
      ) : null}
      {confirmDialog}
    </section>
  );
}

function TenantForm({ tenant, onClose, onSaved }: { tenant: TenantView | null; onClose: () => void; onSaved: (tenant: TenantView, created: boolean) => void }) {
  const { session } = useSession();
  const [slug, setSlug] = useState(tenant?.slug ?? '');
  const [name, setName] = useState(tenant?.name ?? '');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const saved = tenant ? await session.api.patch<TenantView>(`admin/v1/tenants/${encodeURIComponent(tenant.id)}`, { name }) : await session.api.post<TenantView>('admin/v1/tenants', { slug, name });
      onSaved(saved, !tenant);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <Modal title={tenant ? `Rename ${tenant.slug}` : 'New tenant'} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        {tenant ? null : (
          <div class="field">
            <label for="tenant-slug">Slug</label>
            <input id="tenant-slug" type="text" required minLength={2} maxLength={40} pattern="[a-z0-9][a-z0-9\-]*" value={slug} onInput={(e) => setSlug((e.target as HTMLInputElement).value)} aria-describedby="tenant-slug-hint" />
            <small id="tenant-slug-hint" class="muted">
              Lowercase letters, digits and dashes; what <code>X-Chatgate-Tenant</code> names.
            </small>
          </div>
        )}
        <div class="field">
          <label for="tenant-name">Name</label>
          <input id="tenant-name" type="text" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <ErrorNotice error={error} title="Not saved" />
        <FormActions onCancel={onClose} submit={tenant ? 'Rename' : 'Create tenant'} />
      </form>
    </Modal>
  );
}

function TenantAdminKeys({ tenant, onClose }: { tenant: TenantView; onClose: () => void }) {
  const { session } = useSession();
  const api = session.api.forTenant(tenant.slug);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<KeyCreated | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  const keys = useResource((signal) => api.get<KeyList>('admin/v1/keys', { kind: 'tenant_admin', limit: 200 }, signal), [session.api, tenant.slug]);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setCreated(await api.post<KeyCreated>('admin/v1/keys', { kind: 'tenant_admin', name }));
      setName('');
      await keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const revoke = async (key: KeyView) => {
    if (!(await confirm({ title: 'Revoke admin key', message: <p>Revoke {key.name || key.prefix}? Whoever holds it can no longer manage {tenant.slug}.</p>, confirm: 'Revoke', danger: true }))) return;
    try {
      await api.post(`admin/v1/keys/${encodeURIComponent(key.id)}/revoke`);
      await keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const list = keys.data?.data ?? [];
  return (
    <section class="card" aria-labelledby="admin-keys-title">
      <div class="card-head">
        <h2 id="admin-keys-title">Admin keys of {tenant.slug}</h2>
        <button type="button" class="button button-quiet" onClick={onClose}>
          Close
        </button>
      </div>
      <form class="row" onSubmit={create}>
        <label>
          Name <input type="text" maxLength={100} value={name} placeholder="who holds it" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="button button-primary">
          New admin key
        </button>
      </form>
      <ErrorNotice error={error} title="That did not work" />
      <Loaded resource={keys} what="admin keys" failure="Could not load the keys" isEmpty={list.length === 0} empty={<p>No admin keys for {tenant.slug}.</p>}>
        {() => (
          <ul class="plain-list">
            {list.map((key) => (
              <li key={key.id}>
                <code>{key.prefix}</code> {key.name} <span class="muted small">created {relativeTime(key.createdAt)}</span>{' '}
                <button type="button" class="button button-danger" onClick={() => revoke(key)} aria-label={`Revoke admin key ${key.prefix}`}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {created ? <CreatedKey created={created} onClose={() => setCreated(null)} /> : null}
      {confirmDialog}
    </section>
  );
}
