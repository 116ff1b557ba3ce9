/**
 * What travels through the `chatgate-auth-refresh` queue. Job ids are derived from the account
 * id, so BullMQ itself refuses a second job for an account that is already waiting, delayed for a
 * retry or running, whichever replica adds it.
 */
export const REFRESH_QUEUE = 'chatgate-auth-refresh';

export const REFRESH_ACCOUNT_JOB = 'refresh-account';
/** Fired daily at 03:00 in REFRESH_TZ by the job scheduler; decides whether a forced pass is due. */
export const FORCED_PASS_CHECK_JOB = 'forced-pass-check';
export const FORCED_PASS_SCHEDULER_ID = 'refresh-forced-pass-check';
/** Daily at 03:00; the scheduler applies REFRESH_TZ. */
export const FORCED_PASS_CHECK_PATTERN = '0 3 * * *';

export interface RefreshAccountJobData {
  accountId: string;
  /** The pass that asked for it, for logs; the pass bookkeeping does not depend on it. */
  passId: string | null;
  /** false: skip the account if someone refreshed it since it was selected. */
  force: boolean;
}

export type ForcedPassCheckJobData = Record<string, never>;

export type RefreshJobData = RefreshAccountJobData | ForcedPassCheckJobData;
export type RefreshJobName = typeof REFRESH_ACCOUNT_JOB | typeof FORCED_PASS_CHECK_JOB;

/** BullMQ refuses ':' in custom ids (and purely numeric ids); a uuid behind a word has neither. */
export function refreshJobId(accountId: string): string {
  return `account-${accountId}`;
}
