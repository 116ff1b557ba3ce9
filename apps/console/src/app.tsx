import type { FunctionComponent } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { TenantList } from './api/types';
import { hasRoute } from './lib/api-doc';
import { AccountsPage } from './pages/accounts';
import { AuditPage, DeadLettersPage } from './pages/records';
import { RefreshPage } from './pages/refresh';
import { RoutesPage } from './pages/routes';
import { SignInPage } from './pages/sign-in';
import { TenantsPage } from './pages/tenants';
import { UsagePage } from './pages/usage';
import { UsersPage } from './pages/users';
import { defaultTenantOf, SessionContext, signIn, type Session } from './session';

interface PageDef {
  id: string;
  title: string;
  component: FunctionComponent;
  /** Pages the operator alone may use (they span tenants, or the API refuses tenant admins). */
  operatorOnly?: boolean;
  /** A route the API must have for the page to show (other work adds it). */
  needs?: string;
}

const PAGES: PageDef[] = [
  { id: 'accounts', title: 'Accounts', component: AccountsPage },
  { id: 'refresh', title: 'Refresh passes', component: RefreshPage, operatorOnly: true },
  { id: 'users', title: 'Users and keys', component: UsersPage },
  { id: 'usage', title: 'Usage and spend', component: UsagePage },
  { id: 'dead-letters', title: 'Dead letters', component: DeadLettersPage, needs: '/admin/v1/usage/dead-letters' },
  { id: 'audit', title: 'Audit log', component: AuditPage, needs: '/admin/v1/audit' },
  { id: 'routes', title: 'Routing table', component: RoutesPage, operatorOnly: true },
  { id: 'tenants', title: 'Tenants', component: TenantsPage, operatorOnly: true },
];

function pagesFor(session: Session): PageDef[] {
  // Without the document the console cannot know an optional route exists; the dead letters are known to.
  return PAGES.filter((p) => (!p.operatorOnly || session.role === 'operator') && (!p.needs || hasRoute(session.doc, p.needs) || (!session.doc && p.id === 'dead-letters')));
}

/** Pages are addressed in the fragment (`#/usage`): static files need no server routes, and no credential is ever in the URL. */
function useRoute(): string {
  const read = () => location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  const signOut = useCallback((reason?: string) => {
    setSession(null);
    setNotice(reason ?? null);
  }, []);
  const onSignIn = async (credential: string) => {
    const next = await signIn(credential, (error) => signOut(`Signed out: ${error.message}`));
    setNotice(null);
    setSession(next);
  };

  if (!session) return <SignInPage onSignIn={onSignIn} notice={notice} />;
  return <Console session={session} route={route} setSession={setSession} signOut={signOut} />;
}

function Console({ session, route, setSession, signOut }: { session: Session; route: string; setSession: (s: Session) => void; signOut: (reason?: string) => void }) {
  const pages = pagesFor(session);
  const page = pages.find((p) => p.id === route) ?? pages[0];

  useEffect(() => {
    // A new page moves focus to its heading, so keyboard and screen-reader users land on it.
    document.title = `${page.title} · chatgate console`;
    document.getElementById('page-title')?.focus();
  }, [page.id]);

  const actions = useMemo(
    () => ({
      session,
      signOut: (reason?: string) => signOut(reason),
      chooseTenant: (tenantId: string) => {
        const tenant = session.tenants.find((t) => t.id === tenantId);
        if (tenant) setSession({ ...session, tenant, api: session.api.forTenant(tenant.slug) });
      },
      reloadTenants: async () => {
        const list = await session.api.get<TenantList>('admin/v1/tenants', { limit: 200 });
        const tenant = list.data.find((t) => t.id === session.tenant.id) ?? defaultTenantOf(list.data) ?? session.tenant;
        setSession({ ...session, tenants: list.data, tenant, api: session.api.forTenant(session.role === 'operator' ? tenant.slug : null) });
      },
    }),
    [session, setSession, signOut],
  );

  const Page = page.component;
  return (
    <SessionContext.Provider value={actions}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('page-title')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">chatgate</span>
        {session.role === 'operator' ? (
          <label class="tenant-picker">
            Tenant{' '}
            <select value={session.tenant.id} onChange={(e) => actions.chooseTenant((e.target as HTMLSelectElement).value)}>
              {session.tenants.map((t) => (
                <option value={t.id}>
                  {t.name} ({t.slug})
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span class="tenant-picker" aria-label="Tenant">
            Tenant <strong>{session.tenant.name}</strong>
          </span>
        )}
        <span class="role muted">{session.role === 'operator' ? 'operator' : 'tenant admin'}</span>
        <button type="button" class="button" onClick={() => signOut('Signed out.')}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav class="sidenav" aria-label="Console">
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="content">
          <Page key={`${page.id}:${session.tenant.id}`} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
