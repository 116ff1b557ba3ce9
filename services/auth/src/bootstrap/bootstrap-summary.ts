/** What one application of the file changed: counts only, never a name's secret. */
export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface BootstrapSummary {
  tenants: Counts;
  users: Counts;
  keys: Counts;
  /** `failed`: the upstream refused or could not check a declared token; the account was left as it was. */
  accounts: Counts & { failed: number };
}

export const emptyCounts = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

export function emptySummary(): BootstrapSummary {
  return { tenants: emptyCounts(), users: emptyCounts(), keys: emptyCounts(), accounts: { ...emptyCounts(), failed: 0 } };
}
