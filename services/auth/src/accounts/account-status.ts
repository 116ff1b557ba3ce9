/** Where an upstream account stands. Only `active` accounts (not cooling for the model) are leased. */
export const ACCOUNT_STATUSES = ['active', 'cooling', 'needs_token', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
