import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';

/** An error as the API (or the network) gave it, in words; `role=alert` so screen readers announce it. */
export function ErrorNotice({ error, title }: { error: Error | undefined | null; title?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError && error.code ? ` (${error.code})` : '';
  return (
    <div class="notice notice-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
      {code}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ComponentChildren; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div class={`notice notice-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Badge({ tone, children, title }: { tone: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A labelled progress bar (the native element, so assistive technology reads its value). */
export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const share = max > 0 ? Math.min(1, value / max) : 1;
  return (
    <div class="progress">
      <progress value={max > 0 ? value : 1} max={max > 0 ? max : 1} aria-label={label} />
      <span class="progress-text">{Math.round(share * 100)}%</span>
    </div>
  );
}

/** Copies a text; says so for a moment (and falls back to selecting it where the clipboard is refused). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" class="button" onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : label}
    </button>
  );
}

export function Pager({ page, hasMore, total, onPage }: { page: number; hasMore: boolean; total: number; onPage: (page: number) => void }) {
  if (page === 1 && !hasMore) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} · {total} in all
      </span>
      <button type="button" class="button" disabled={!hasMore} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** A page's heading with its actions on the right. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1 tabIndex={-1} id="page-title">
        {title}
      </h1>
      {children ? <div class="page-actions">{children}</div> : null}
    </header>
  );
}

/**
 * What a page shows of a resource it loads, the same everywhere: the load's error, "Loading …", the
 * empty state (never beside a load error), else the content (a function: it runs only once there is data).
 */
export function Loaded({
  resource,
  what,
  failure,
  isEmpty,
  empty,
  children,
}: {
  resource: { loading: boolean; error?: Error | null };
  what: string;
  failure: string;
  isEmpty: boolean;
  empty: ComponentChildren;
  children: () => ComponentChildren;
}) {
  return (
    <>
      <ErrorNotice error={resource.error} title={failure} />
      {resource.loading ? <Loading what={what} /> : isEmpty ? resource.error ? null : <Empty>{empty}</Empty> : children()}
    </>
  );
}

/** The outcome of the last action a page ran: what went wrong, or what was done. */
export function ActionNotices({ error, done, failure = 'That did not work' }: { error: Error | null; done?: string | null; failure?: string }) {
  return (
    <>
      <ErrorNotice error={error} title={failure} />
      {done ? <Notice tone="success">{done}</Notice> : null}
    </>
  );
}

/** A dialog form's buttons: leave it, or submit it (disabled while it runs or cannot be sent). */
export function FormActions({ onCancel, cancel = 'Cancel', submit, disabled = false }: { onCancel: () => void; cancel?: string; submit: string; disabled?: boolean }) {
  return (
    <div class="modal-actions">
      <button type="button" class="button" onClick={onCancel}>
        {cancel}
      </button>
      <button type="submit" class="button button-primary" disabled={disabled}>
        {submit}
      </button>
    </div>
  );
}
