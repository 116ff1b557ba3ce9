import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { ErrorNotice, Notice } from '../components/ui';

/** The admin password (operator) or a tenant admin key (`cga_…`); kept in memory only, never stored. */
export function SignInPage({ onSignIn, notice }: { onSignIn: (credential: string) => Promise<void>; notice: string | null }) {
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(credential.trim());
    } catch (err) {
      setError(err instanceof ApiError && err.status === 0 ? err : (err as Error));
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <form class="card form" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">chatgate console</h1>
        {notice ? <Notice tone="warning">{notice}</Notice> : null}
        <div class="field">
          <label for="credential">Admin password or tenant admin key</label>
          <input
            id="credential"
            name="credential"
            type="password"
            autocomplete="current-password"
            required
            autofocus
            spellcheck={false}
            value={credential}
            onInput={(e) => setCredential((e.target as HTMLInputElement).value)}
            aria-describedby="credential-hint"
          />
          <small id="credential-hint" class="muted">
            The operator signs in with <code>ADMIN_PASSWORD</code>; a tenant admin with a <code>cga_…</code> key. It stays in this tab's memory: reloading or signing out forgets it.
          </small>
        </div>
        <ErrorNotice error={error} title="Not signed in" />
        <button type="submit" class="button button-primary" disabled={busy || !credential.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
