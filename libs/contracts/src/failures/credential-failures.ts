import type { BusError } from '../common/openai-error.js';
import { failureOf, type Envelope, type FailureDetails } from './failure.js';

/** The credential family: who is calling could not be established, or may not call (auth, the gateway's guards). */
export const CREDENTIAL_FAILURE_CODES = [
  'missing_api_key',
  'invalid_api_key',
  'key_expired',
  'token_expired',
  'user_disabled',
  'user_expired',
  'auth_unavailable',
  'admin_disabled',
  'invalid_admin_password',
  'too_many_failed_logins',
  'admin_login_unavailable',
  'too_many_invalid_keys',
  'operator_only',
] as const;
export type CredentialFailureCode = (typeof CREDENTIAL_FAILURE_CODES)[number];

const UNAUTHORIZED = { status: 401, type: 'invalid_request_error' } as const;

export const CREDENTIAL_FAILURES = {
  missing_api_key: UNAUTHORIZED,
  invalid_api_key: UNAUTHORIZED,
  key_expired: UNAUTHORIZED,
  token_expired: UNAUTHORIZED,
  user_disabled: UNAUTHORIZED,
  user_expired: UNAUTHORIZED,
  auth_unavailable: { status: 503, type: 'server_error' },
  admin_disabled: { status: 403, type: 'invalid_request_error' },
  invalid_admin_password: UNAUTHORIZED,
  too_many_failed_logins: { status: 429, type: 'rate_limit_error' },
  /** The shared failed-login counts (Redis) cannot be read: admin logins are refused rather than unthrottled. */
  admin_login_unavailable: { status: 503, type: 'server_error' },
  /** One client presented too many Bearers that are no credential; known credentials still work. */
  too_many_invalid_keys: { status: 429, type: 'rate_limit_error' },
  /** A tenant admin asked for what only the ADMIN_PASSWORD holder may see (the system's health details). */
  operator_only: { status: 403, type: 'invalid_request_error' },
} as const satisfies Record<CredentialFailureCode, Envelope>;

export const credentialFailure = (code: CredentialFailureCode, message: string, details?: FailureDetails): BusError => failureOf(CREDENTIAL_FAILURES, code, message, details);

export const missingApiKey = () =>
  credentialFailure(
    'missing_api_key',
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  );

export const authUnavailable = (message = 'The authentication service is unavailable. Try again shortly.') => credentialFailure('auth_unavailable', message);
