import { dateTime, relativeTime } from '../lib/format';
import { usageWindowsOf } from '../lib/usage-windows';

/** The upstream's usage windows of an account, when the API reports them: a bar per window, with when it resets. */
export function UsageWindowsCell({ account }: { account: Record<string, unknown> }) {
  const usage = usageWindowsOf(account);
  if (!usage) return <span class="muted">—</span>;
  return (
    <div class="windows">
      {usage.windows.map((w) => (
        <div class="window" key={w.name}>
          <div class="window-head">
            <span>
              {w.name}
              {w.length ? ` (${w.length})` : ''}
            </span>
            <span>{Math.round(w.usedPercent)}% used</span>
          </div>
          <meter min={0} max={100} low={70} high={90} optimum={0} value={Math.min(100, Math.max(0, w.usedPercent))} aria-label={`${w.name} window used`} />
          {w.resetsAt ? (
            <div class="muted small" title={w.resetsAt}>
              resets {relativeTime(w.resetsAt)} ({dateTime(w.resetsAt)})
            </div>
          ) : null}
        </div>
      ))}
      {usage.plan ? <div class="muted small">plan {usage.plan}</div> : null}
      {usage.credits ? <div class="muted small">credits: {usage.credits.unlimited ? 'unlimited' : (usage.credits.balance ?? (usage.credits.hasCredits ? 'yes' : 'none'))}</div> : null}
      {usage.observedAt ? <div class="muted small">as of {relativeTime(usage.observedAt)}</div> : null}
    </div>
  );
}
