import type { Budget, WireLimit } from '../api/types';
import { formatFieldValue, type ExtraField } from '../lib/api-doc';

/** `isolated_session` → `Isolated session`, `modelAllowList` → `Model allow list`. */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An input for a body field the console has no editor of its own for, typed from the API's schema. */
export function ExtraFieldInput({ field, text, onText, idPrefix }: { field: ExtraField; text: string; onText: (text: string) => void; idPrefix: string }) {
  const id = `${idPrefix}-${field.name}`;
  const hint = field.type === 'strings' ? 'Comma-separated; empty for none.' : field.type === 'json' ? 'JSON.' : field.nullable ? 'Empty for none.' : '';
  const describedBy = hint || field.description ? `${id}-hint` : undefined;
  let input;
  switch (field.type) {
    case 'boolean':
      return (
        <label class="inline" for={id}>
          <input id={id} type="checkbox" checked={text === 'true'} onChange={(e) => onText((e.target as HTMLInputElement).checked ? 'true' : 'false')} /> {fieldLabel(field.name)}
        </label>
      );
    case 'enum':
      input = (
        <select id={id} value={text} onChange={(e) => onText((e.target as HTMLSelectElement).value)} aria-describedby={describedBy}>
          {field.nullable || !field.required ? <option value="">—</option> : null}
          {field.enumValues.map((v) => (
            <option value={v}>{v}</option>
          ))}
        </select>
      );
      break;
    case 'integer':
    case 'number':
      input = <input id={id} type="number" step={field.type === 'integer' ? 1 : 'any'} value={text} onInput={(e) => onText((e.target as HTMLInputElement).value)} aria-describedby={describedBy} />;
      break;
    case 'json':
      input = <textarea id={id} rows={3} spellcheck={false} value={text} onInput={(e) => onText((e.target as HTMLTextAreaElement).value)} aria-describedby={describedBy} />;
      break;
    default:
      input = <input id={id} type="text" value={text} onInput={(e) => onText((e.target as HTMLInputElement).value)} aria-describedby={describedBy} />;
  }
  return (
    <div class="field">
      <label for={id}>{fieldLabel(field.name)}</label>
      {input}
      {describedBy ? (
        <small id={describedBy} class="muted">
          {[field.description, hint].filter(Boolean).join(' ')}
        </small>
      ) : null}
    </div>
  );
}

/** The texts extra fields start from: the view's values where it has them. */
export function extraTexts(fields: ExtraField[], view: Record<string, unknown> | null): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, formatFieldValue(f, view?.[f.name])]));
}

export interface BudgetText {
  amount: string;
  period: Budget['period'];
}

export function budgetText(budget: Budget | null | undefined): BudgetText {
  return budget ? { amount: String(budget.amountUsd), period: budget.period } : { amount: '', period: 'month' };
}

/** Empty amount: no budget. */
export function budgetOf(text: BudgetText): Budget | null | 'invalid' {
  if (text.amount.trim() === '') return null;
  const amountUsd = Number(text.amount);
  return Number.isFinite(amountUsd) && amountUsd >= 0 ? { amountUsd, period: text.period } : 'invalid';
}

export function BudgetInput({ value, onChange, idPrefix }: { value: BudgetText; onChange: (v: BudgetText) => void; idPrefix: string }) {
  return (
    <fieldset class="field">
      <legend>Budget</legend>
      <div class="row">
        <label for={`${idPrefix}-budget-amount`}>
          USD{' '}
          <input id={`${idPrefix}-budget-amount`} type="number" min={0} step="any" inputMode="decimal" value={value.amount} placeholder="none" onInput={(e) => onChange({ ...value, amount: (e.target as HTMLInputElement).value })} />
        </label>
        <label for={`${idPrefix}-budget-period`}>
          per{' '}
          <select id={`${idPrefix}-budget-period`} value={value.period} onChange={(e) => onChange({ ...value, period: (e.target as HTMLSelectElement).value as Budget['period'] })}>
            <option value="day">UTC day</option>
            <option value="month">UTC month</option>
            <option value="none">ever</option>
          </select>
        </label>
      </div>
      <small class="muted">Empty for no budget. Requests beyond it are refused with 429 insufficient_quota.</small>
    </fieldset>
  );
}

export function LimitsEditor({ limits, onChange }: { limits: WireLimit[]; onChange: (limits: WireLimit[]) => void }) {
  const set = (i: number, patch: Partial<WireLimit>) => onChange(limits.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset class="field">
      <legend>Model limits</legend>
      {limits.length === 0 ? <p class="muted small">No limits: the user may send any number of requests.</p> : null}
      {limits.map((limit, i) => (
        <div class="row limit-row" key={i}>
          <label>
            Model <input type="text" value={limit.model_name} required onInput={(e) => set(i, { model_name: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            at most <input type="number" min={0} step={1} value={limit.limit_count} required onInput={(e) => set(i, { limit_count: Number((e.target as HTMLInputElement).value) })} />
          </label>
          <label>
            every (minutes) <input type="number" min={1} step={1} value={limit.every_minute} required onInput={(e) => set(i, { every_minute: Number((e.target as HTMLInputElement).value) })} />
          </label>
          <button type="button" class="button button-quiet" aria-label={`Remove the limit on ${limit.model_name || 'this model'}`} onClick={() => onChange(limits.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="button" onClick={() => onChange([...limits, { model_name: '', limit_count: 40, every_minute: 180 }])}>
        Add a limit
      </button>
    </fieldset>
  );
}
