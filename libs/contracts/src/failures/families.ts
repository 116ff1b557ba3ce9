import type { Envelope } from './failure.js';
import { CODEX_FAILURES } from './codex-failures.js';
import { CONVERSATION_FAILURES } from './conversation-failures.js';
import { CREDENTIAL_FAILURES } from './credential-failures.js';
import { JOB_FAILURES } from './job-failures.js';
import { LIMIT_FAILURES } from './limit-failures.js';
import { PLATFORM_FAILURES } from './platform-failures.js';
import { POOL_FAILURES } from './pool-failures.js';
import { REQUEST_FAILURES } from './request-failures.js';
import { UPSTREAM_FAILURES } from './upstream-failures.js';

/**
 * Every failure family and its envelopes, for what reads them all (the tests that hold the tables
 * to their rules, an OpenAPI listing). A code may belong to several families (`rate_limit_exceeded`
 * is an account's, a key's and the pool's); its meaning, and so its envelope, is the family's.
 */
export const FAILURE_FAMILIES = {
  job: JOB_FAILURES,
  upstream: UPSTREAM_FAILURES,
  platform: PLATFORM_FAILURES,
  codex: CODEX_FAILURES,
  request: REQUEST_FAILURES,
  credential: CREDENTIAL_FAILURES,
  limit: LIMIT_FAILURES,
  pool: POOL_FAILURES,
  conversation: CONVERSATION_FAILURES,
} as const satisfies Record<string, Readonly<Record<string, Envelope>>>;
export type FailureFamily = keyof typeof FAILURE_FAMILIES;

/** Every code chatgate itself answers with, of any family. */
export type FailureCode = { [F in FailureFamily]: keyof (typeof FAILURE_FAMILIES)[F] }[FailureFamily];
